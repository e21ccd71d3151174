"""The hardened HTTP service base: every daemon and server of the suite is built on it.

Names are loaded on first use: a CLI that only looks for its daemon (``read_service_info``)
should not pay for importing FastAPI and uvicorn.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groundwork.service.app import create_app, login_path
    from groundwork.service.auth import load_or_create_token
    from groundwork.service.config import ServiceConfig
    from groundwork.service.discovery import ServiceInfo, read_service_info
    from groundwork.service.lock import InstanceLock
    from groundwork.service.server import TLSFiles, connect, running_service, serve

_WHERE = {
    "create_app": "app",
    "login_path": "app",
    "load_or_create_token": "auth",
    "ServiceConfig": "config",
    "ServiceInfo": "discovery",
    "read_service_info": "discovery",
    "InstanceLock": "lock",
    "connect": "server",
    "running_service": "server",
    "serve": "server",
    "TLSFiles": "server",
}

__all__ = [
    "InstanceLock",
    "ServiceConfig",
    "ServiceInfo",
    "TLSFiles",
    "connect",
    "create_app",
    "load_or_create_token",
    "login_path",
    "read_service_info",
    "running_service",
    "serve",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'groundwork.service' has no attribute {name!r}")
    return getattr(import_module(f"groundwork.service.{_WHERE[name]}"), name)
