"""The server's settings, apart from the app: `peragus start` finds a running server with them
without importing FastAPI.
"""

from __future__ import annotations

from pathlib import Path

from groundwork.service.config import ServiceConfig
from peragus import __version__

__all__ = ["MAX_IMPORT_BYTES", "server_config"]

MAX_IMPORT_BYTES = 10 * 1024 * 1024


def server_config(home: Path, host: str = "127.0.0.1", port: int = 2150) -> ServiceConfig:
    """groundwork's rate limits (20/s per client after a burst of 200) fit one person: a page
    load is a handful of requests and edits travel over the WebSocket, which is not counted.
    """
    return ServiceConfig(
        tool="peragus",
        version=__version__,
        state_dir=home,
        host=host,
        port=port,
        max_body_bytes=MAX_IMPORT_BYTES,
        content_security_policy=(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none';"
            " form-action 'self'; object-src 'none'"
        ),
    )
