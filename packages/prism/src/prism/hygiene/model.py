"""`prism storage report` and `prism storage cleanup`, as prismd answers them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "CleanupCandidate",
    "CleanupPlan",
    "CleanupResult",
    "Recommendation",
    "StorageItem",
    "StorageReport",
    "StorageReportResult",
]


class StorageItem(BaseModel):
    kind: str = Field(
        description="disk (prism storage), root (a workstation's), volume or snapshot"
    )
    name: str
    resource_id: str
    project: str | None = None
    workstation: str | None = None
    size_gb: float
    volume_type: str
    state: str = Field(description="Where it is used, in words.")
    created: datetime
    age_days: float
    monthly_usd: float


class Recommendation(BaseModel):
    kind: str = Field(
        description="gp2-to-gp3, unattached-disk, unused-volume, oversized-root or rightsize"
    )
    resource: str
    detail: str
    monthly_saving_usd: float
    command: str | None = Field(
        default=None, description="What carries it out, if one command does."
    )


class StorageReport(BaseModel):
    items: list[StorageItem]
    total_gb: float
    total_monthly_usd: float
    recommendations: list[Recommendation]
    total_saving_usd: float
    simulated: bool


class StorageReportResult(BaseModel):
    report: StorageReport


class CleanupCandidate(BaseModel):
    kind: str = Field(description="disk or volume")
    name: str
    resource_id: str
    size_gb: float
    monthly_usd: float
    age_days: float
    reason: str


class CleanupPlan(BaseModel):
    candidates: list[CleanupCandidate]
    deleted: list[str] = Field(default_factory=list, description="resource ids deleted")
    dry_run: bool = True
    monthly_saving_usd: float = Field(
        description="What deleting the candidates (or the deleted) saves."
    )
    simulated: bool


class CleanupResult(BaseModel):
    cleanup: CleanupPlan
