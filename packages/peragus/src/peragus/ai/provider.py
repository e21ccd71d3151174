"""One chat completion from the configured provider, through its official SDK.

OpenAI-compatible servers (OpenAI, Ollama, vLLM, LM Studio, ...) go through `openai`, Anthropic
through `anthropic`; both take the base URL from Settings and retry transient failures (429,
5xx, lost connections) with backoff themselves. The SDKs are the optional extra `peragus[ai]`
and cost a second or more to import, so they load on the first AI request, not at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from groundwork.errors import ExitCode, ToolError
from peragus.settings.store import AiSettings

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["complete"]

MAX_TOKENS = 4096
TIMEOUT_SECONDS = 120.0
RETRIES = 2


def _not_configured() -> ToolError:
    """A fresh error per call: one shared instance would gather every raise's traceback."""
    return ToolError(
        "PERAGUS_AI_NOT_CONFIGURED",
        "AI help needs an API key, and none is set.",
        suggestions=[
            "Open Settings, choose a provider (OpenAI-compatible or Anthropic), and paste a key.",
            "A local OpenAI-compatible server (Ollama, vLLM) works too: set its base URL and any"
            " key.",
        ],
        exit_code=ExitCode.USAGE,
    )


def _sdk(name: str) -> ModuleType:
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise ToolError(
            "PERAGUS_AI_SDK_MISSING",
            f"AI help needs the {name} package, which is not installed.",
            suggestions=[
                "Install peragus with its AI extra: pip install 'peragus[ai]'"
                " (or uv sync --extra ai).",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None


def _ask_openai(openai: ModuleType, settings: AiSettings, key: str, system: str, user: str) -> str:
    client = openai.OpenAI(
        api_key=key, base_url=settings.base_url, timeout=TIMEOUT_SECONDS, max_retries=RETRIES
    )
    with client:
        reply = client.chat.completions.create(
            model=settings.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        )
    content = reply.choices[0].message.content
    if not isinstance(content, str):
        raise TypeError("the reply has no message content")
    return content


def _ask_anthropic(
    anthropic: ModuleType, settings: AiSettings, key: str, system: str, user: str
) -> str:
    # The SDK adds /v1/messages itself; a base URL copied with its /v1 would double it.
    base = settings.base_url.rstrip("/").removesuffix("/v1")
    client = anthropic.Anthropic(
        api_key=key, base_url=base, timeout=TIMEOUT_SECONDS, max_retries=RETRIES
    )
    with client:
        reply = client.messages.create(
            model=settings.model,
            max_tokens=MAX_TOKENS,
            system=system,
            messages=[{"role": "user", "content": user}],
        )
    return "".join(block.text for block in reply.content if block.type == "text")


def complete(settings: AiSettings, key: str | None, system: str, user: str) -> str:
    if not key:
        raise _not_configured()
    sdk = _sdk(settings.provider)  # each provider's SDK is named after it
    ask = _ask_anthropic if settings.provider == "anthropic" else _ask_openai
    try:
        return ask(sdk, settings, key, system, user)
    except (sdk.AuthenticationError, sdk.PermissionDeniedError) as exc:
        raise ToolError(
            "PERAGUS_AI_KEY_REJECTED",
            f"The AI provider refused the key ({exc.status_code}).",
            suggestions=["Paste a valid key in Settings."],
            exit_code=ExitCode.PERMISSION,
        ) from None
    except sdk.APIConnectionError as exc:  # includes timeouts
        raise ToolError(
            "PERAGUS_AI_UNAVAILABLE",
            f"The AI provider at {settings.base_url} did not answer: {exc}.",
            suggestions=["Check the base URL in Settings and your network, then try again."],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    except (sdk.RateLimitError, sdk.InternalServerError) as exc:
        raise ToolError(
            "PERAGUS_AI_UNAVAILABLE",
            f"The AI provider at {settings.base_url} is busy or failing"
            f" ({exc.status_code}, after {RETRIES} retries).",
            suggestions=["Try again in a minute."],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        ) from None
    except sdk.APIStatusError as exc:
        raise ToolError(
            "PERAGUS_AI_REQUEST_FAILED",
            f"The AI provider refused the request ({exc.status_code}): {exc.message}",
            suggestions=["Check the model name and base URL in Settings."],
            exit_code=ExitCode.FAILURE,
        ) from None
    except (sdk.APIError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # The SDKs read replies leniently: a server that is not the provider it claims to be
        # shows up as missing fields.
        raise ToolError(
            "PERAGUS_AI_BAD_REPLY",
            f"The AI provider's reply could not be read: {exc}.",
            suggestions=[
                "Check that the provider setting matches the server (OpenAI or Anthropic)"
                " and that the model name exists there."
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
