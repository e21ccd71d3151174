"""How prismd is configured: one place both the daemon and the CLI that starts it read."""

from __future__ import annotations

import os
from pathlib import Path

from groundwork.service import ServiceConfig
from prism import __version__

__all__ = ["DEFAULT_PORT", "daemon_config"]

DEFAULT_PORT = 8947


def daemon_config(home: Path) -> ServiceConfig:
    """``PRISM_DAEMON_PORT`` moves it (0 picks a free port, which tests use)."""
    port = int(os.environ.get("PRISM_DAEMON_PORT", DEFAULT_PORT))
    return ServiceConfig(
        tool="prism",
        name="prismd",
        version=__version__,
        state_dir=home,
        port=port,
        max_concurrent=64,
        max_queued=256,
        rate_per_second=5000,
        rate_burst=10000,
    )
