"""What prism answers about workstations, from prismd's REST API and from `prism ... -o json`
alike: one class per kind of answer, so a script reads both the same way.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from prism.workstations.model import Workstation

__all__ = [
    "LaunchResult",
    "ProgressUpdate",
    "StageProgress",
    "WorkstationList",
    "WorkstationResult",
]


class WorkstationResult(BaseModel):
    """One workstation: what info, stop, start, hibernate, resume and delete answer."""

    workstation: Workstation
    notice: str | None = Field(
        default=None, description="Something that went other than asked (hibernate stopped it)."
    )


class LaunchResult(WorkstationResult):
    """A launch: the workstation as accepted (REST) or as it ended (the CLI follows it)."""

    dry_run: bool = Field(default=False, description="AWS checked the request; nothing launched.")
    progress: str | None = Field(
        default=None, description="The launch's progress stream (Server-Sent Events) to follow."
    )


class WorkstationList(BaseModel):
    workstations: list[Workstation]


class StageProgress(BaseModel):
    name: str
    weight: float
    state: str = Field(description="pending, running, done, failed or skipped")
    fraction: float
    message: str


class ProgressUpdate(BaseModel):
    """The data of a launch's `progress` event: the whole picture, not a change, so a client
    that reconnects needs nothing it missed.
    """

    fraction: float
    percent: float
    eta_seconds: float | None
    elapsed_seconds: float
    current: str | None = Field(description="The stage running now.")
    finished: bool
    failed: bool
    stages: list[StageProgress]
