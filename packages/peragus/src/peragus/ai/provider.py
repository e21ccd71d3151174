"""One chat completion from the configured provider, through its official SDK.

OpenAI-compatible servers (OpenAI, Ollama, vLLM, LM Studio, ...) go through `openai`, Anthropic
through `anthropic`; both take the base URL from Settings and retry transient failures (429,
5xx, lost connections) with backoff themselves. The SDKs are the optional extra `peragus[ai]`
and cost a second or more to import, so they load on the first AI request, not at start.

Each provider (kind and base URL) has a circuit breaker: after ``FAILURES_TO_PAUSE`` calls in a
row that found it unavailable, calls fail at once with a message saying when it is tried again
(``PAUSE_SECONDS`` later, one trial call); a success closes it. A rejected key or a bad request
says nothing about availability and does not count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from groundwork.errors import ExitCode, ToolError
from groundwork.retry import CircuitBreaker
from peragus.settings.store import AiSettings

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["BREAKERS", "Breakers", "complete"]

MAX_TOKENS = 4096
TIMEOUT_SECONDS = 120.0
RETRIES = 2
FAILURES_TO_PAUSE = 3
PAUSE_SECONDS = 60.0
_UNAVAILABLE = "PERAGUS_AI_UNAVAILABLE"


class Breakers:
    """One circuit breaker per provider, for the process's life."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}
        self._lock = threading.Lock()

    def of(self, settings: AiSettings) -> CircuitBreaker:
        key = (settings.provider, settings.base_url)
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = self._breakers[key] = CircuitBreaker(
                    f"the AI provider at {settings.base_url}",
                    failure_threshold=FAILURES_TO_PAUSE,
                    reset_seconds=PAUSE_SECONDS,
                    clock=lambda: self.clock(),
                )
            return breaker


BREAKERS = Breakers()


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

    def attempt() -> tuple[str, ToolError | None]:
        """Only unavailability is a failure to the breaker; other errors come back as values."""
        try:
            return _ask(sdk, settings, key, system, user), None
        except ToolError as exc:
            if exc.code == _UNAVAILABLE:
                raise
            return "", exc

    try:
        text, error = BREAKERS.of(settings).call(attempt)
    except ToolError as exc:
        if exc.code != "GROUNDWORK_CIRCUIT_OPEN":
            raise
        wait = exc.context.get("retry_after_seconds", PAUSE_SECONDS)
        raise ToolError(
            "PERAGUS_AI_PAUSED",
            f"The AI provider at {settings.base_url} was unavailable {FAILURES_TO_PAUSE} times in"
            f" a row, so AI calls to it are paused; the next try goes through in {wait:.0f} s.",
            suggestions=[
                "Check that the provider is up (or the base URL in Settings), then try again"
                " after the pause.",
            ],
            context={"retry_after_seconds": wait},
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        ) from None
    if error is not None:
        raise error
    return text


def _ask(sdk: ModuleType, settings: AiSettings, key: str, system: str, user: str) -> str:
    """One call through the SDK, its exceptions turned into ToolErrors that say what to do."""
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
            _UNAVAILABLE,
            f"The AI provider at {settings.base_url} did not answer: {exc}.",
            suggestions=["Check the base URL in Settings and your network, then try again."],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    except (sdk.RateLimitError, sdk.InternalServerError) as exc:
        raise ToolError(
            _UNAVAILABLE,
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
