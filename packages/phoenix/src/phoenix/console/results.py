"""The console's replies. Each holds the CLI's own models (a deployment, a catalog summary, a
collector config, an experiment report) so the page reads the same shapes the CLI prints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from phoenix.experiments.results import ExperimentReport
from phoenix.loadsim.results import Simulation
from phoenix.pipelines.results import CollectorConfig, PipelineSummary, StatusProblem

__all__ = [
    "CatalogEntry",
    "CatalogEntryResult",
    "ExperimentEvent",
    "HostDeployment",
    "HostDeploymentList",
    "Measurement",
    "Parameter",
]


class HostDeployment(BaseModel):
    """One host's row: what it runs, whether it is well, and what the pipeline saves there."""

    host: str
    group: str | None = Field(description="The fleet group; null for this host.")
    kind: Literal["this host", "fleet"]
    pipeline: str
    version: int | None = Field(description="Null while nothing was ever deployed.")
    params: dict[str, str]
    status: Literal["running", "failed", "down", "unreachable"]
    healthy: bool
    input_series: float | None
    output_series: float | None
    reduction_percent: float | None
    critical_retention_percent: float | None = Field(
        description="This host: from the agent; a fleet host: measured in experiments only."
    )
    monthly_cost_usd: float | None
    monthly_saving_usd: float | None
    problem: StatusProblem | None


class HostDeploymentList(BaseModel):
    host_deployments: list[HostDeployment]


class Parameter(BaseModel):
    """A pipeline setting that `--param name=value` changes."""

    name: str = Field(description="processor_type.field, as --param takes it.")
    value: str = Field(description="Its value in the catalog file, as YAML.")


class Measurement(BaseModel):
    """What bench/collector_vs_engine.py last measured on the high-cardinality load."""

    engine_series: int
    collector_series: int
    engine_reduction_percent: float
    collector_reduction_percent: float
    collector_difference_percent: float
    fidelity: Literal["exact", "approximate"]


class CatalogEntry(BaseModel):
    summary: PipelineSummary
    strategy: list[str] = Field(description="Each processor, what it does in this pipeline.")
    parameters: list[Parameter]
    documented_params: list[dict[str, str]]
    source: str = Field(description="The pipeline's YAML.")
    collector_config: CollectorConfig
    collector_yaml: str = Field(description="The collector config as YAML, notes on top.")
    measurement: Measurement | None
    deploy_command: str


class CatalogEntryResult(BaseModel):
    catalog_entry: CatalogEntry


class ExperimentEvent(BaseModel):
    """What the console's experiment page receives over server-sent events, each time it
    changes: the report (as `experiment status -o json`) and the load simulator's state."""

    report: ExperimentReport
    simulation: Simulation
    problem: StatusProblem | None = Field(description="Why the experiment failed, if it did.")
