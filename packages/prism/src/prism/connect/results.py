"""What `prism connect` and `prism web` answer with `--output json` (or print with --print)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "Connection",
    "ConnectionResult",
    "EditorConnection",
    "EditorResult",
    "SshConfigResult",
    "SshHost",
    "Tunnel",
    "TunnelResult",
]


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
    local_port: int | None = Field(
        default=None, description="The port on this machine's loopback the tunnel listens on."
    )
    user: str | None = Field(default=None, description="Who the tunnel logs in as.")
    token: bool = Field(
        default=False,
        description="Whether the URL carries the service's token (read from the workstation).",
    )


class TunnelResult(BaseModel):
    tunnel: Tunnel
    opened: bool = Field(description="Whether prism ran the tunnel (until Ctrl+C).")


class SshHost(BaseModel):
    alias: str = Field(description="The Host name ssh and VS Code know the workstation by.")
    hostname: str
    user: str
    identity_file: str | None = None


class EditorConnection(BaseModel):
    workstation: str
    editor: str = "vscode"
    ssh_host: SshHost
    ssh_config: str = Field(description="The SSH config file prism owns, holding the entry.")
    included: bool = Field(description="Whether ~/.ssh/config includes prism's file.")
    backup: str | None = Field(
        default=None, description="The copy of ~/.ssh/config made before adding the Include."
    )
    command: list[str] = Field(description="The command line that opens the editor.")


class EditorResult(BaseModel):
    editor: EditorConnection
    opened: bool = Field(description="Whether prism ran the editor's command.")
    notice: str | None = None


class SshConfigResult(BaseModel):
    ssh_hosts: list[SshHost]
    ssh_config: str = Field(description="The SSH config file prism owns.")
    included: bool = Field(description="Whether ~/.ssh/config includes it.")
