"""Where a rendered collector config runs: ports, the host's cores, extra attributes."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["RenderOptions"]


@dataclass(frozen=True)
class RenderOptions:
    """Where the config runs. `cores` turns the scraper's utilization (a share of all cores)
    into the pipeline files' percent of one core."""

    cores: int | None = None
    """None: this machine's CPU count."""
    prometheus_endpoint: str | None = None
    """Overrides the pipeline's; `""` leaves the prometheus exporter out."""
    otlp_endpoint: str | None = None
    """Also (or, in gateway mode, only) send OTLP/HTTP here."""
    health_endpoint: str = "127.0.0.1:13133"
    telemetry_host: str = "127.0.0.1"
    telemetry_port: int = 8888
    collection_interval_seconds: float | None = None
    resource_attributes: dict[str, str] = field(default_factory=dict)
    """Set on every process (host.name, phoenix.group...), e.g. for a fleet's gateway."""
    root_path: str | None = None
    """`/hostfs` for a collector in a container that mounts the host there; None on a host."""
