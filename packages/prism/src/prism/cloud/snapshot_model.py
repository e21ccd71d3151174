"""Snapshots of workstations and images saved from them, as prism answers about them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from prism.templates.results import TemplateDetail

__all__ = [
    "SaveResult",
    "SavedImage",
    "Snapshot",
    "SnapshotDisk",
    "SnapshotList",
    "SnapshotResult",
]


class SnapshotDisk(BaseModel):
    snapshot_id: str
    device: str
    size_gb: int
    root: bool
    state: str = Field(description="pending, completed or error")


class Snapshot(BaseModel):
    """The EBS snapshots of one workstation's disks, taken together under one name."""

    name: str
    workstation: str
    template: str
    instance_type: str
    size: str | None = None
    project: str | None = None
    note: str = ""
    created: datetime
    state: str = Field(description="completed when every disk's snapshot is")
    disks: list[SnapshotDisk]
    size_gb: int
    monthly_usd: float = Field(description="At its disks' full size: an upper bound.")


class SnapshotList(BaseModel):
    snapshots: list[Snapshot]


class SnapshotResult(BaseModel):
    """One snapshot: what create and delete answer."""

    snapshot: Snapshot
    simulated: bool = False


class SavedImage(BaseModel):
    image_id: str
    name: str
    workstation: str
    region: str
    architecture: str
    state: str = Field(description="pending until AWS has copied the disks; then available")


class SaveResult(BaseModel):
    """`prism save`: the image and the template that launches it."""

    image: SavedImage
    template: TemplateDetail
    notice: str | None = None
