"""A workstation as prism records it; EC2 is the truth, this is what prism last saw."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = ["IdlePolicyRef", "StateReason", "Workstation", "WorkstationState", "state_from_ec2"]


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


class IdlePolicyRef(BaseModel):
    """The idle policy that governs a workstation, and where it comes from."""

    name: str
    action: str = Field(description="hibernate (stops instead when it cannot) or stop")
    idle_minutes: int
    warn_minutes: int
    source: str = Field(description="workstation, project, template or default")
    can_hibernate: bool = Field(
        default=True, description="False when hibernate would stop it (launched without it)."
    )

    def describe(self) -> str:
        """'hibernate after 60 min idle, warning 5 min before', in the words prism shows."""
        action = self.action
        if action == "hibernate" and not self.can_hibernate:
            action = "stop (it cannot hibernate: launched without --hibernation)"
        warning = f", warning {self.warn_minutes} min before" if self.warn_minutes else ""
        return f"{action} after {self.idle_minutes} min idle{warning}"


class StateReason(BaseModel):
    """Why a workstation is in its state when prism, not a person, put it there."""

    text: str = Field(description="e.g. 'hibernated by idle policy default after 62 min idle'")
    by: str = Field(description="idle-policy or budget")
    at: datetime


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
    project: str | None = Field(default=None, description="The project it belongs to.")
    idle: IdlePolicyRef | None = Field(
        default=None, description="Its idle policy; null when it has none (--no-idle)."
    )
    idle_agent_minutes: int | None = Field(
        default=None,
        description="How often its idle agent samples activity; null when it has no agent.",
    )
    state_reason: StateReason | None = Field(
        default=None, description="Why it is stopped or hibernated, when prism did it."
    )
    restored_from: str | None = Field(
        default=None, description="The snapshot it was restored from."
    )
    data_disks_gb: int = Field(
        default=0, description="Disks restored with it from a snapshot (deleted with it)."
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What the template asked that prism did otherwise, or warns about.",
    )
    message: str = ""
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
