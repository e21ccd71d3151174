"""How prismd is configured: one place both the daemon and the CLI that starts it read.

Environment (the CLI passes its own on to the daemon it starts):

- ``PRISM_DAEMON_PORT``: the port, default 8947; 0 picks a free one (the tests do).
- ``PRISM_DAEMON_RATE_PER_SECOND`` and ``PRISM_DAEMON_RATE_BURST``: the per-client rate limit.
  Unset, groundwork's defaults apply (20 requests/s after a burst of 200): plenty for one
  person's CLI and scripts, and a runaway loop is refused. Benchmarks raise them.
- ``PRISM_PROGRESS_PING_SECONDS``: how often a launch's progress stream sends a keep-alive
  ping, default 15. The CLI gives up reading a stream after three intervals of silence.
- ``PRISM_CHECK_SECONDS``: how often prismd checks idle policies and budgets, default 60.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from groundwork.errors import ExitCode, ToolError
from groundwork.service import ServiceConfig
from prism import __version__
from prism.daemon.listen import listen_host

__all__ = [
    "DEFAULT_PING_SECONDS",
    "DEFAULT_PORT",
    "check_seconds",
    "daemon_config",
    "progress_ping_seconds",
    "progress_read_timeout",
]

DEFAULT_PORT = 8947
DEFAULT_PING_SECONDS = 15.0
DEFAULT_CHECK_SECONDS = 60.0
_SILENT_PINGS = 3


def _number(name: str, default: float | None, *, integer: bool = False) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and name != "PRISM_DAEMON_PORT"):
        raise ToolError(
            "PRISM_SETTING_INVALID",
            f"{name}={raw!r} is not a valid setting.",
            suggestions=[f"Set {name} to a positive number, or unset it for the default."],
            exit_code=ExitCode.USAGE,
        )
    return value


def daemon_config(home: Path) -> ServiceConfig:
    port = _number("PRISM_DAEMON_PORT", DEFAULT_PORT, integer=True)
    limits: dict[str, Any] = {}
    rate = _number("PRISM_DAEMON_RATE_PER_SECOND", None)
    burst = _number("PRISM_DAEMON_RATE_BURST", None, integer=True)
    if rate is not None:
        limits["rate_per_second"] = rate
    if burst is not None:
        limits["rate_burst"] = int(burst)
    return ServiceConfig(
        tool="prism",
        name="prismd",
        version=__version__,
        state_dir=home,
        host=listen_host(),
        port=int(port or 0),
        # The team join trades a one-time ticket (its credential) for a member's token, the
        # dashboard's member login a one-time ticket for their browser's cookie.
        public_paths=("/healthz", "/login", "/api/v1/team/join", "/dashboard/login"),
        **limits,
    )


def progress_ping_seconds() -> float:
    return float(_number("PRISM_PROGRESS_PING_SECONDS", DEFAULT_PING_SECONDS) or 0)


def progress_read_timeout() -> float:
    """How long the CLI waits on a silent progress stream before it reconnects: a live daemon
    pings well within it, so silence means the daemon or the connection is gone.
    """
    return progress_ping_seconds() * _SILENT_PINGS


def check_seconds() -> float:
    return float(_number("PRISM_CHECK_SECONDS", DEFAULT_CHECK_SECONDS) or DEFAULT_CHECK_SECONDS)
