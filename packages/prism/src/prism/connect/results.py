"""What `prism connect` and `prism web` answer with `--output json` (or print with --print)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Connection", "ConnectionResult", "Tunnel", "TunnelResult"]


class Connection(BaseModel):
    workstation: str
    host: str
    user: str
    command: list[str] = Field(description="The ssh command line, one argument per item.")
    desktop: str | None = Field(
        default=None, description="How to reach its remote desktop, when it has one."
    )
    web: list[str] = Field(
        default_factory=list, description="Its web services, reached with prism web NAME SERVICE."
    )


class ConnectionResult(BaseModel):
    connection: Connection


class Tunnel(BaseModel):
    workstation: str
    service: str
    url: str = Field(description="Where the service answers on this machine.")
    command: list[str] = Field(description="The ssh command line that holds the tunnel.")


class TunnelResult(BaseModel):
    tunnel: Tunnel
    opened: bool = Field(description="Whether prism ran the tunnel (until Ctrl+C).")
