"""Idle policies, where they apply, and each workstation's idle status, as prismd's REST API and
`prism idle ... -o json` answer them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from prism.choices import IdleAction
from prism.workstations.model import IdlePolicyRef, StateReason

__all__ = [
    "Assignment",
    "AssignmentResult",
    "IdlePolicy",
    "IdleStatus",
    "IdleStatusList",
    "PolicyList",
    "PolicyResult",
    "SimulateResult",
]

POLICY_NAME = r"^[a-z0-9][a-z0-9-]{0,40}$"
Scope = Literal["workstation", "project", "template"]


class IdlePolicy(BaseModel):
    name: str = Field(pattern=POLICY_NAME)
    idle_minutes: int = Field(ge=1, le=7 * 24 * 60, description="Idle this long, then act.")
    action: IdleAction = IdleAction.HIBERNATE
    warn_minutes: int = Field(
        default=5, ge=0, le=24 * 60, description="How long before acting the warning comes."
    )
    builtin: bool = Field(default=False, description="The default policy prism ships.")

    def describe(self) -> str:
        warning = f", warning {self.warn_minutes} min before" if self.warn_minutes else ""
        return f"{self.action} after {self.idle_minutes} min idle{warning}"


class Assignment(BaseModel):
    """A policy applied to one workstation, every workstation of a project, or of a template.
    ``none`` as the policy means no idle policy there (what `launch --no-idle` records).
    """

    policy: str
    scope: Scope
    target: str


class PolicyResult(BaseModel):
    policy: IdlePolicy
    assignments: list[Assignment] = Field(
        default_factory=list, description="Where it applies (set by list and delete)."
    )


class PolicyList(BaseModel):
    policies: list[IdlePolicy]
    assignments: list[Assignment]


class AssignmentResult(BaseModel):
    assignment: Assignment
    workstations: list[str] = Field(description="Workstations whose policy this changed.")


class IdleStatus(BaseModel):
    """Where one workstation stands with its idle policy right now."""

    workstation: str
    state: str
    simulated: bool
    policy: IdlePolicyRef | None
    signal: str = Field(
        description="reporting (its agent publishes), silent (nothing recent), no-agent,"
        " not-running or no-policy"
    )
    idle_minutes: float | None = Field(
        default=None, description="How long it has been idle, when its signal says so."
    )
    idle_since: datetime | None = None
    last_activity: datetime | None = Field(
        default=None, description="The last sample that showed activity (the activity bump)."
    )
    last_report: datetime | None = Field(default=None, description="Its agent's last sample.")
    warn_at: datetime | None = None
    action_at: datetime | None = None
    warned_at: datetime | None = Field(default=None, description="When the warning was given.")
    next: str = Field(description="What happens next, in words.")
    last_action: StateReason | None = None


class IdleStatusList(BaseModel):
    statuses: list[IdleStatus]


class SimulateResult(BaseModel):
    """What `prism idle simulate` published, and where the workstation stands after prismd
    looked at it at once.
    """

    status: IdleStatus
    published: int = Field(description="Samples published to CloudWatch.")
    notice: str | None = None
