"""Projects, their budgets and where spend stands, as prismd's REST API and
`prism project ... -o json` answer them.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, model_validator

from prism.choices import BudgetAction, BudgetBasis, BudgetPeriod
from prism.records import Event

__all__ = [
    "Alert",
    "Budget",
    "BudgetStatus",
    "Project",
    "ProjectList",
    "ProjectResult",
    "ProjectView",
    "Threshold",
]

PROJECT_NAME = r"^[a-z0-9][a-z0-9-]{0,40}$"


class Threshold(BaseModel):
    percent: float = Field(gt=0, le=1000)
    action: BudgetAction = BudgetAction.NOTIFY
    on: BudgetBasis = Field(
        default=BudgetBasis.SPENT,
        description="spent: spend so far crosses it; forecast: spend projected to the period's"
        " end does (notify only: nothing is stopped for what has not been spent).",
    )

    @model_validator(mode="after")
    def _forecast_notifies(self) -> Threshold:
        if self.on is BudgetBasis.FORECAST and self.action is not BudgetAction.NOTIFY:
            raise ValueError("a forecast threshold only notifies")
        return self


class Budget(BaseModel):
    amount_usd: float = Field(gt=0)
    period: BudgetPeriod = BudgetPeriod.MONTHLY
    thresholds: list[Threshold] = Field(
        description="Percent of the amount and what happens when spend crosses it."
    )
    ends: date | None = Field(
        default=None,
        description="A total budget's last day: its projections run to it (30 days without).",
    )


class Project(BaseModel):
    name: str = Field(pattern=PROJECT_NAME)
    description: str = ""
    created_at: datetime
    budget: Budget | None = None


class Alert(BaseModel):
    """A threshold spend crossed, once per budget period, and what prismd did about it."""

    period: str = Field(description="The month (YYYY-MM), or 'total'.")
    percent: float
    action: BudgetAction
    on: BudgetBasis = BudgetBasis.SPENT
    crossed_at: datetime
    spent_usd: float
    projected_usd: float | None = Field(
        default=None, description="For a forecast threshold: the projection that crossed it."
    )
    amount_usd: float
    outcome: str


class BudgetStatus(BaseModel):
    period: str
    period_start: datetime
    period_end: datetime | None = Field(description="End of the month, or a total budget's end.")
    spent_usd: float
    amount_usd: float
    percent: float
    burn_usd_per_hour: float = Field(description="What runs and is stored now, per hour.")
    projected_usd: float | None = Field(
        description="Spend at the period's end (or in 30 days, for a total budget without an"
        " end) at the current burn rate."
    )
    runs_out_at: datetime | None = Field(
        description="When spend reaches the amount at this rate; null when it does not."
    )
    launches_allowed: bool = Field(description="False once a prevent_launch threshold is crossed.")


class ProjectView(Project):
    """A project with where its budget stands and what belongs to it."""

    status: BudgetStatus | None = None
    workstations: list[str] = Field(default_factory=list)
    storage: list[str] = Field(
        default_factory=list, description="Disks, volumes and snapshots, as kind:name."
    )
    alerts: list[Alert] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list, description="The newest first.")


class ProjectResult(BaseModel):
    """One project: what create, info, budget and delete answer."""

    project: ProjectView


class ProjectList(BaseModel):
    projects: list[ProjectView]
