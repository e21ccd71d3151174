"""One chat completion from the configured provider, over its own HTTP wire format.

OpenAI-compatible servers (OpenAI, Ollama, vLLM, LM Studio, ...) take
``POST {base}/chat/completions``; Anthropic takes ``POST {base}/v1/messages``.
Transient failures are retried with backoff.
"""

from __future__ import annotations

from typing import Any

import httpx

from groundwork.errors import ExitCode, ToolError
from groundwork.retry import RetryPolicy
from peragus.settings.store import AiSettings

__all__ = ["NO_KEY", "complete"]

NO_KEY = ToolError(
    "PERAGUS_AI_NOT_CONFIGURED",
    "AI help needs an API key, and none is set.",
    suggestions=[
        "Open Settings, choose a provider (OpenAI-compatible or Anthropic), and paste a key.",
        "A local OpenAI-compatible server (Ollama, vLLM) works too: set its base URL and any key.",
    ],
    exit_code=ExitCode.USAGE,
)
_RETRIED = {429, 500, 502, 503, 504}
_POLICY = RetryPolicy(
    name="ai provider",
    attempts=3,
    initial_seconds=0.5,
    deadline_seconds=60,
    retry_on=lambda exc: isinstance(exc, (httpx.TransportError, httpx.HTTPStatusError)),
)


def _request(
    settings: AiSettings, key: str, system: str, user: str
) -> tuple[str, dict[str, str], dict[str, Any]]:
    base = settings.base_url.rstrip("/")
    if settings.provider == "anthropic":
        url = f"{base}/v1/messages" if not base.endswith("/v1") else f"{base}/messages"
        headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
        body: dict[str, Any] = {
            "model": settings.model,
            "max_tokens": 4096,
            "system": system,
            "messages": [{"role": "user", "content": user}],
        }
    else:
        url = f"{base}/chat/completions"
        headers = {"authorization": f"Bearer {key}"}
        body = {
            "model": settings.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        }
    return url, headers, body


def _text(settings: AiSettings, reply: dict[str, Any]) -> str:
    if settings.provider == "anthropic":
        return "".join(b.get("text", "") for b in reply["content"] if b.get("type") == "text")
    content: str = reply["choices"][0]["message"]["content"]
    return content


def complete(settings: AiSettings, key: str | None, system: str, user: str) -> str:
    if not key:
        raise NO_KEY
    url, headers, body = _request(settings, key, system, user)

    def attempt() -> httpx.Response:
        response = httpx.post(url, headers=headers, json=body, timeout=120)
        if response.status_code in _RETRIED:
            response.raise_for_status()
        return response

    try:
        response = _POLICY.call(attempt)
    except (httpx.TransportError, httpx.HTTPStatusError) as exc:
        raise ToolError(
            "PERAGUS_AI_UNAVAILABLE",
            f"The AI provider at {settings.base_url} did not answer: {exc}.",
            suggestions=["Check the base URL in Settings and your network, then try again."],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    if response.status_code in (401, 403):
        raise ToolError(
            "PERAGUS_AI_KEY_REJECTED",
            f"The AI provider refused the key ({response.status_code}).",
            suggestions=["Paste a valid key in Settings."],
            exit_code=ExitCode.PERMISSION,
        )
    try:
        response.raise_for_status()
        return _text(settings, response.json())
    except (httpx.HTTPStatusError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ToolError(
            "PERAGUS_AI_BAD_REPLY",
            f"The AI provider's reply could not be read ({response.status_code}): {exc}.",
            suggestions=[
                "Check that the provider setting matches the server (OpenAI or Anthropic)."
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
