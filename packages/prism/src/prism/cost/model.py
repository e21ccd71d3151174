"""What `prism cost` and `GET /api/v1/cost` answer."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["CostLine", "CostReport"]


class CostLine(BaseModel):
    """One workstation's cost so far: compute while running, storage always."""

    name: str
    instance_type: str
    hourly_usd: float
    price_source: str = Field(
        description="pricing-api, bundled (list prices shipped with prism) or estimate"
    )
    running_hours: float
    stopped_hours: float
    compute_usd: float
    storage_usd: float
    total_usd: float
    simulated: bool


class CostReport(BaseModel):
    costs: list[CostLine]
    total_usd: float
