"""What `prism cost` and `GET /api/v1/cost` answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["CostGroup", "CostLine", "CostReport"]


class CostLine(BaseModel):
    """One thing that costs money, and what it has cost in the report's window: a workstation
    (compute while running, its root disk always), an EBS disk, an EFS volume or a snapshot.
    """

    name: str
    kind: str = Field(description="workstation, disk, volume or snapshot")
    project: str | None = None
    workstation: str | None = Field(
        default=None, description="The workstation it belongs to, when it belongs to one."
    )
    resource_id: str | None = Field(
        default=None, description="Instance, volume, file system or snapshot id."
    )
    detail: str = Field(default="", description="Type, size and state, in words.")
    instance_type: str | None = None
    hourly_usd: float = Field(
        description="What it costs per hour now: compute for a running workstation (the spot"
        " price for spot), storage otherwise."
    )
    price_source: str = Field(
        description="pricing-api, bundled (list prices shipped with prism), estimate,"
        " spot-price-history or spot-estimate"
    )
    spot: bool = False
    running_hours: float = 0.0
    stopped_hours: float = 0.0
    hibernated_hours: float = 0.0
    compute_usd: float = 0.0
    storage_usd: float = 0.0
    total_usd: float
    simulated: bool
    deleted: bool = Field(default=False, description="Gone now; what it cost before still counts.")


class CostGroup(BaseModel):
    key: str = Field(description="A day (YYYY-MM-DD), a workstation, or a kind of cost.")
    compute_usd: float
    storage_usd: float
    total_usd: float


class CostReport(BaseModel):
    costs: list[CostLine]
    total_usd: float
    by: str | None = Field(default=None, description="day, workstation or kind, when grouped.")
    groups: list[CostGroup] = Field(default_factory=list)
    project: str | None = None
    since: datetime | None = Field(
        default=None, description="The window's start (all time when null)."
    )
    until: datetime
    notes: list[str] = Field(
        default_factory=list, description="How figures were estimated where AWS does not say."
    )
