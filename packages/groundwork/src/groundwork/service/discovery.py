"""Finding a running service: the info file it writes while it runs, checked against its pid.

Kept apart from the server so a CLI can find its daemon without importing FastAPI or uvicorn.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from groundwork.service.config import ServiceConfig

__all__ = ["ServiceInfo", "read_service_info"]


@dataclass(frozen=True)
class ServiceInfo:
    """Written to ``<state>/<name>.json`` while the service runs; clients read it to find it."""

    pid: int
    host: str
    port: int
    url: str
    version: str
    started_at: str


def read_service_info(config: ServiceConfig) -> ServiceInfo | None:
    """Where the service runs; None when it does not (a stale file left by a crash included)."""
    try:
        data = json.loads(config.info_file.read_text(encoding="utf-8"))
        info = ServiceInfo(**data)
    except (FileNotFoundError, NotADirectoryError, ValueError, TypeError):
        return None
    return info if _lock_is_held(config) else None


def _lock_is_held(config: ServiceConfig) -> bool:
    """A running service holds its lock; a killed one's lock is released by the kernel.

    This, unlike probing the pid, also sees through zombies and reused pids.
    """
    try:
        fd = os.open(config.lock_file, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
