"""A workstation as prism records it; EC2 is the truth, this is what prism last saw."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = ["Workstation", "WorkstationState", "state_from_ec2"]


class WorkstationState(StrEnum):
    LAUNCHING = "launching"
    PENDING = "pending"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    HIBERNATED = "hibernated"
    DELETING = "deleting"
    DELETED = "deleted"
    GONE = "gone"
    FAILED = "failed"


_EC2_STATES = {
    "pending": WorkstationState.PENDING,
    "running": WorkstationState.RUNNING,
    "stopping": WorkstationState.STOPPING,
    "stopped": WorkstationState.STOPPED,
    "shutting-down": WorkstationState.DELETING,
    "terminated": WorkstationState.DELETED,
}


def state_from_ec2(ec2_state: str, *, hibernated: bool) -> WorkstationState:
    state = _EC2_STATES.get(ec2_state, WorkstationState.PENDING)
    if state is WorkstationState.STOPPED and hibernated:
        return WorkstationState.HIBERNATED
    return state


def now() -> datetime:
    return datetime.now(UTC)


class Workstation(BaseModel):
    name: str
    profile: str
    region: str
    simulated: bool
    template: str
    template_name: str
    size: str | None = None
    instance_type: str
    architecture: str
    image_id: str | None = None
    instance_id: str | None = None
    state: WorkstationState = WorkstationState.LAUNCHING
    spot: bool = False
    hibernation: bool = False
    root_volume_gb: int = 20
    public_ip: str | None = None
    private_ip: str | None = None
    availability_zone: str | None = None
    login_user: str = "ubuntu"
    key_file: str | None = None
    ports: list[int] = Field(default_factory=list)
    services: dict[str, int] = Field(default_factory=dict)
    service_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Each web service's URL through a tunnel, {local} standing for host:port.",
    )
    connection_type: str | None = Field(
        default=None, description="The template's connection type (ssh, web, dcv, desktop...)."
    )
    desktop: str | None = Field(
        default=None, description="The remote desktop it runs: dcv (NICE DCV) or vnc (noVNC)."
    )
    params: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(
        default_factory=list,
        description="What the template asked that prism did otherwise, or warns about.",
    )
    message: str = ""
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
