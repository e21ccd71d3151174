"""What `prism daemon ...` and `GET /api/v1/status` answer."""

from __future__ import annotations

from pydantic import BaseModel, Field

from prism.profiles.store import Profile

__all__ = ["DaemonLog", "DaemonResult", "DaemonStatus", "LogTail"]


class DaemonStatus(BaseModel):
    running: bool
    pid: int | None = None
    url: str | None = None
    version: str | None = None
    started_at: str | None = None
    profile: Profile | None = Field(default=None, description="The active profile.")
    simulated: bool | None = Field(default=None, description="True for the sandbox profile.")
    launches_running: int | None = None
    tls_fingerprint: str | None = Field(
        default=None,
        description="Listening beyond loopback: its certificate's SHA-256, as members pin it.",
    )


class DaemonResult(BaseModel):
    daemon: DaemonStatus
    stopped_pid: int | None = Field(default=None, description="Set by `prism daemon stop`.")
    sandbox_stopped: bool | None = Field(
        default=None, description="Set by `prism daemon stop --sandbox`."
    )


class LogTail(BaseModel):
    path: str
    exists: bool
    lines: list[str] = Field(description="The last lines, each a JSON record.")


class DaemonLog(BaseModel):
    log: LogTail
