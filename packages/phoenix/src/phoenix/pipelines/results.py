"""What the pipeline and deployment commands answer with.

One model per kind of result, shared by `phoenix pipeline ... -o json` and the REST API, so a
script reads a deployment the same way from the CLI and from `POST /api/v1/deployments`. Only
pydantic and the pipeline schema are imported here: the CLI loads this module to start.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from phoenix.pipelines.spec import ExpectedReduction, NameMatch, Pipeline

__all__ = [
    "BASELINE",
    "CollectorConfig",
    "CollectorValidation",
    "DeployedConfig",
    "Deployment",
    "DeploymentResult",
    "DeploymentStatus",
    "LiveFigures",
    "PipelineList",
    "PipelineResult",
    "PipelineSummary",
    "PipelineValidation",
    "RenderFormat",
    "RenderResult",
    "RenderStep",
    "StatusProblem",
    "ValidationProblem",
]

BASELINE = "process-baseline-v1"
"""What a host runs while nothing is deployed: every process, every series."""


class PipelineSummary(BaseModel):
    """A catalog entry: what `pipeline list` shows of each pipeline."""

    name: str
    description: str
    expected_reduction: ExpectedReduction
    critical_processes: NameMatch
    processors: list[str] = Field(description="The processor types, in order.")
    collector: Literal["exact", "approximate"] | None = Field(
        default=None,
        description="engine-exact; on a collector exact or approximate (from the last bench run).",
    )
    collector_difference_percent: float | None = Field(
        default=None,
        description="The collector's series against the engine's, as bench/collector_vs_engine.py"
        " last measured it.",
    )


class PipelineList(BaseModel):
    pipelines: list[PipelineSummary]


_BUILT_ON_USE = ConfigDict(defer_build=True)
"""For the results holding a whole pipeline: building its schema is the costly part of loading
this module, and only `show` and `validate` need it."""


class PipelineResult(BaseModel):
    model_config = _BUILT_ON_USE

    pipeline: Pipeline


class ValidationProblem(BaseModel):
    """One reason a pipeline file is refused, with the line it is on when the file has one."""

    line: int | None
    where: str = Field(description="The field's path, e.g. processors.0.k; empty for the file.")
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}" if self.line else "file"
        return f"{at} ({self.where}): {self.message}" if self.where else f"{at}: {self.message}"


class CollectorValidation(BaseModel):
    """What the collector itself said of the pipeline's rendered config (`otelcol validate`)."""

    binary: str
    valid: bool
    message: str


class PipelineValidation(BaseModel):
    """A validation's finding: the pipeline when it is valid, every problem when it is not;
    with --otelcol, what the collector said of its config."""

    model_config = _BUILT_ON_USE

    source: str = Field(description="The file (or request body) that was checked.")
    valid: bool
    pipeline: Pipeline | None
    problems: list[ValidationProblem]
    collector: CollectorValidation | None = None


class RenderFormat(StrEnum):
    OTELCOL = "otelcol"
    K8S = "k8s"


class RenderStep(BaseModel):
    """How one processor of the pipeline became collector configuration."""

    index: int
    processor: str = Field(description="The pipeline processor's type.")
    collector: list[str] = Field(description="The collector processors that do its work.")
    exact: bool = Field(description="False where the collector can only approximate it.")
    note: str


class CollectorConfig(BaseModel):
    """A pipeline as OpenTelemetry Collector configuration: one document for otelcol; a
    Namespace, ServiceAccount, ConfigMap, DaemonSet and Service for k8s. `fidelity` says whether
    the collector keeps exactly what the engine keeps; `notes` and `steps` say where it cannot.
    """

    pipeline: str
    format: RenderFormat
    fidelity: Literal["exact", "approximate"]
    collector_release: str
    notes: list[str]
    steps: list[RenderStep]
    documents: list[dict[str, Any]]
    kubernetes_version: str | None = Field(
        default=None, description="k8s --check: the Kubernetes API version checked against."
    )


class RenderResult(BaseModel):
    collector_config: CollectorConfig
    explain: bool = Field(default=False, exclude=True)


class Deployment(BaseModel):
    """One numbered version of what this host runs."""

    version: int
    pipeline: str
    params: dict[str, str] = Field(description="--param overrides, processor.field=value.")
    reason: str
    deployed_at: str
    # The YAML deployed, kept for the agent and rollback; `get-config` is how people read it.
    source: str = Field(default="", exclude=True)


class DeploymentResult(BaseModel):
    deployment: Deployment


class StatusProblem(BaseModel):
    """An error state a status shows (a collector down, a failed deployment or experiment),
    with the code, message and suggestions the CLI prints for the same error."""

    code: str
    message: str
    suggestions: list[str]


class LiveFigures(BaseModel):
    """What this host's collector (phoenix's agent) measures now, read from its /metrics."""

    collector: str = Field(description="What collects on this host: phoenix's agent.")
    url: str | None = Field(description="Its /metrics, when it runs.")
    healthy: bool = Field(description="It answers and its last scrape is recent.")
    pipeline: str | None = Field(description="The pipeline the agent runs now.")
    interval_seconds: float | None
    scrapes: int | None
    last_scrape_age_seconds: float | None
    input_series: int | None
    output_series: int | None
    reduction_percent: float | None
    input_datapoints_per_second: float | None
    output_datapoints_per_second: float | None
    critical_in_input: int | None
    critical_retained: int | None
    critical_retention_percent: float | None
    collector_rss_mb: float | None
    monthly_cost_usd: float | None = Field(description="Of what the pipeline keeps.")
    monthly_saving_usd: float | None = Field(description="Against sending every series.")
    problem: StatusProblem | None = Field(description="Why it is not healthy.")


class DeploymentStatus(BaseModel):
    """The deployed version (null: nothing deployed, the baseline runs), every version, and
    the figures this host's collector measures now."""

    deployment: Deployment | None
    deployments: list[Deployment] = Field(description="Newest first.")
    live: LiveFigures | None = Field(
        default=None, description="Now, from the agent's /metrics; its problem when it is down."
    )


class DeployedConfig(BaseModel):
    deployment: Deployment | None
    config: str = Field(description="The deployed pipeline's YAML.")
