"""What the fleet commands answer with, for the CLI's JSON and the REST API alike."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = [
    "FleetDeployment",
    "FleetDeploymentList",
    "FleetHost",
    "HostKind",
    "HostList",
    "HostRemoved",
    "HostResult",
    "HostStatus",
    "HostStatusList",
    "Outcome",
]


class HostKind(StrEnum):
    LOCAL = "local"
    SSH = "ssh"


class FleetHost(BaseModel):
    """A host of the fleet and how phoenix reaches it: this machine (`local`, optionally inside
    a network namespace) or `ssh user@addr`."""

    name: str
    group: str
    kind: HostKind
    address: str | None = Field(description="user@addr for ssh.")
    ssh_options: list[str] = Field(
        default=[], description="ssh -o options for this host, e.g. IdentityFile=PATH."
    )
    netns: str | None = Field(description="For a local host: the network namespace it is in.")
    collector: str = Field(description="The collector binary on the host.")
    workdir: str = Field(description="The host's folder for its config, pid file and log.")
    gateway: str = Field(description="The gateway's OTLP/HTTP endpoint the host sends to.")
    health_port: int
    telemetry_port: int
    cores: int
    added_at: str


class HostResult(BaseModel):
    host: FleetHost


class HostList(BaseModel):
    hosts: list[FleetHost]


class HostRemoved(BaseModel):
    host: FleetHost
    removed: bool = True
    collector_stopped: bool = Field(description="False when the host could not be reached.")


class Outcome(StrEnum):
    RUNNING = "running"
    """Deployed and healthy: what the host runs now."""
    SUPERSEDED = "superseded"
    FAILED = "failed"
    """Its collector failed health checks; the host went back to its previous config."""
    UNCHANGED = "unchanged"
    """A rollback found no earlier version on this host; it runs what it ran."""


class FleetDeployment(BaseModel):
    """One host's deployment: a version of that host, its pipeline and what became of it."""

    host: str
    group: str
    version: int
    pipeline: str
    params: dict[str, str]
    outcome: Outcome
    message: str
    deployed_at: str


class FleetDeploymentList(BaseModel):
    """Per host, in the order they were deployed; a failed host names why and what it runs."""

    deployments: list[FleetDeployment]


class HostStatus(BaseModel):
    """A host as it answers now: what it runs, and its collector's own telemetry."""

    host: str
    group: str
    reachable: bool
    pipeline: str | None = Field(description="From the host's own deployed.json.")
    version: int | None
    running: bool
    healthy: bool
    accepted_points: float | None = Field(description="otelcol_receiver_accepted_metric_points")
    refused_points: float | None = Field(description="otelcol_receiver_refused_metric_points")
    sent_points: float | None = Field(description="otelcol_exporter_sent_metric_points")
    failed_points: float | None = Field(description="otelcol_exporter_send_failed_metric_points")
    uptime_seconds: float | None = Field(
        default=None, description="otelcol_process_uptime: the span the counters cover."
    )
    message: str


class HostStatusList(BaseModel):
    host_statuses: list[HostStatus]
