"""The hardened HTTP service base: every daemon and server of the suite is built on it."""

from groundwork.service.app import create_app, login_path
from groundwork.service.auth import load_or_create_token
from groundwork.service.config import ServiceConfig
from groundwork.service.lock import InstanceLock
from groundwork.service.server import (
    ServiceInfo,
    connect,
    read_service_info,
    running_service,
    serve,
)

__all__ = [
    "InstanceLock",
    "ServiceConfig",
    "ServiceInfo",
    "connect",
    "create_app",
    "load_or_create_token",
    "login_path",
    "read_service_info",
    "running_service",
    "serve",
]
