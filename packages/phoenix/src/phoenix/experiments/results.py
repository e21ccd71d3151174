"""What the experiment commands answer with, for the CLI's JSON and the REST API alike."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from phoenix.pipelines.results import Deployment

__all__ = [
    "Experiment",
    "ExperimentDeleted",
    "ExperimentList",
    "ExperimentReport",
    "ExperimentResult",
    "ExperimentState",
    "IntervalFigures",
    "PromotedVariant",
    "Promotion",
    "VariantFigures",
    "VariantName",
]


class ExperimentState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    ANALYZING = "analyzing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        """Still moving: a watch keeps refreshing until the state leaves these."""
        return self in (ExperimentState.PENDING, ExperimentState.RUNNING, ExperimentState.ANALYZING)


class PromotedVariant(StrEnum):
    CANDIDATE = "candidate"
    BASELINE = "baseline"


VariantName = Literal["A", "B"]
"""A runs the baseline pipeline, B the candidate, both on the same scrapes."""


class Experiment(BaseModel):
    id: str
    name: str
    baseline: str = Field(description="Pipeline A.")
    candidate: str = Field(description="Pipeline B.")
    duration_seconds: float
    interval_seconds: float
    critical_regex: str
    min_reduction: float = Field(description="Success needs this series reduction, in percent.")
    min_critical: float = Field(description="Success needs this critical retention, in percent.")
    state: ExperimentState
    verdict: Literal["pass", "fail"] | None
    runner_pid: int | None
    deployment_before: int | None = Field(description="The version `stop` restores.")
    created_at: str
    started_at: str | None
    finished_at: str | None
    message: str
    baseline_group: str | None = Field(
        default=None, description="Across a fleet: the host group running the baseline."
    )
    candidate_group: str | None = Field(
        default=None, description="Across a fleet: the host group running the candidate."
    )
    prometheus_url: str | None = Field(
        default=None, description="Across a fleet: the Prometheus the figures come from."
    )


class ExperimentResult(BaseModel):
    experiment: Experiment


class ExperimentList(BaseModel):
    experiments: list[Experiment]


class VariantFigures(BaseModel):
    """A variant's figures over every interval measured so far (averages, critical sums)."""

    intervals: int
    input_series: float
    output_series: float
    reduction_percent: float
    critical_seen: int
    critical_retention_percent: float
    datapoints_per_minute: float
    monthly_cost_usd: float
    engine_cpu_ms: float = Field(description="The pipeline's CPU time per scrape.")


class IntervalFigures(BaseModel):
    seq: int
    variant: VariantName
    at: str
    input_series: int
    output_series: int
    reduction_percent: float
    critical_seen: int
    critical_retained: int
    datapoints_per_minute: float
    monthly_cost: float = Field(description="Estimated monthly cost in USD at this interval.")
    engine_cpu_ms: float


class ExperimentReport(BaseModel):
    """An experiment with its figures: `status`, `compare` and GET /experiments/{id}."""

    experiment: Experiment
    variants: dict[VariantName, VariantFigures]
    intervals: list[IntervalFigures]


class Promotion(BaseModel):
    experiment: Experiment
    deployment: Deployment


class ExperimentDeleted(BaseModel):
    experiment: Experiment
    deleted: Literal[True] = True
