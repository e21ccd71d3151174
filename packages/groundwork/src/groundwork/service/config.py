"""What a service is told at start: who it is, where its state lives, and its limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

__all__ = ["ServiceConfig"]


class ServiceConfig(BaseModel):
    """Limits default to what a local daemon serving one person needs: a page load or a script's
    burst passes, a runaway loop or a flood from another local program is refused.
    """

    tool: str
    version: str
    state_dir: Path
    name: str = Field(default="", description="Service name in files and logs; the tool's if empty")
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port")
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    rate_per_second: float = Field(default=20.0, gt=0, description="Per client, sustained")
    rate_burst: int = Field(default=200, gt=0, description="Per client, before the rate applies")
    rate_clients: int = Field(default=4096, gt=0, description="Clients tracked at once")
    max_concurrent: int = Field(default=32, gt=0)
    max_queued: int = Field(default=64, ge=0)
    queue_timeout_seconds: float = Field(default=10.0, gt=0)
    public_paths: tuple[str, ...] = ("/healthz", "/login")
    public_prefixes: tuple[str, ...] = ()
    extra_origins: tuple[str, ...] = ()
    content_security_policy: str = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
        " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    shutdown_grace_seconds: float = Field(default=10.0, gt=0)

    @property
    def service_name(self) -> str:
        return self.name or self.tool

    @property
    def token_file(self) -> Path:
        return self.state_dir / f"{self.service_name}.token"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / f"{self.service_name}.lock"

    @property
    def info_file(self) -> Path:
        return self.state_dir / f"{self.service_name}.json"
