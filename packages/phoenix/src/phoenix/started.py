"""What `phoenix agent` and `phoenix server` print once they listen: one line for people, one
JSON document for scripts (they run until stopped, so this is their only output).
"""

from __future__ import annotations

from pydantic import BaseModel

from groundwork.service.discovery import ServiceInfo

__all__ = ["ConsoleStarted", "ServiceStarted"]


class ServiceStarted(BaseModel):
    """`service.url` is the base address; the info is also in <PHOENIX_HOME>/<name>.json."""

    service: ServiceInfo


class ConsoleStarted(ServiceStarted):
    """`phoenix server`: also the one-time login URL that opens the console in a browser, and
    this host's agent when the server runs it (null with --no-agent, or when another process
    already runs it: the console reads that one)."""

    login_url: str
    agent: ServiceInfo | None = None
