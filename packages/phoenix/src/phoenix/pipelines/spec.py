"""The pipeline file's schema: what each processor accepts, checked before anything runs.

Each processor names its `type`; the set of types is closed, so a typo is caught at validation
rather than silently skipped at run time.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from phoenix.collector.model import RESOURCE_ATTRIBUTES

METRICS = (
    "process.cpu.utilization",
    "process.memory.usage",
    "process.memory.virtual",
    "process.disk.io",
    "process.threads",
    "process.open_file_descriptors",
)
"""What a filter condition can compare: utilization is in percent of one core, the rest in the
scraper's units (bytes, counts)."""


class _Strict(BaseModel):
    # Built on first validation, not at import: `pipeline list` reads no pipeline through it.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class NameMatch(_Strict):
    """Processes picked by exact executable name or by a regular expression over it."""

    names: list[str] = []
    patterns: list[str] = []

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern {pattern!r} is not a valid regular expression: {exc}"
                ) from None
        return patterns

    @property
    def empty(self) -> bool:
        return not self.names and not self.patterns

    def regex(self) -> str:
        """One anchored regular expression matching the same names."""
        parts = [re.escape(name) for name in self.names] + [f"(?:{p})" for p in self.patterns]
        return "^(?:" + "|".join(parts) + ")$" if parts else "(?!)"


class PriorityRule(NameMatch):
    cpu_percent_above: float | None = None
    rss_mb_above: float | None = None


class PriorityProcessor(_Strict):
    """Tags each process critical, high, medium or low: the first rule that matches wins."""

    type: Literal["priority"]
    critical: PriorityRule = PriorityRule()
    high: PriorityRule = PriorityRule()
    medium: PriorityRule = PriorityRule()


class Condition(_Strict):
    """One test: a resource attribute, a metric value, or the priority a process was given."""

    attribute: str | None = None
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    matches: str | None = None
    metric: str | None = None
    above: float | None = None
    below: float | None = None
    priority: list[Literal["critical", "high", "medium", "low"]] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        kinds = [self.attribute is not None, self.metric is not None, self.priority is not None]
        if sum(kinds) != 1:
            raise ValueError("a condition tests exactly one of: attribute, metric, priority")
        if self.attribute is not None:
            if self.attribute not in RESOURCE_ATTRIBUTES:
                raise ValueError(
                    f"unknown attribute {self.attribute!r};"
                    f" one of: {', '.join(RESOURCE_ATTRIBUTES)}"
                )
            tests = [self.equals is not None, self.in_ is not None, self.matches is not None]
            if sum(tests) != 1:
                raise ValueError("an attribute condition needs exactly one of: equals, in, matches")
            if self.matches is not None:
                try:
                    re.compile(self.matches)
                except re.error as exc:
                    raise ValueError(f"matches: not a valid regular expression: {exc}") from None
        if self.metric is not None:
            if self.metric not in METRICS:
                raise ValueError(f"unknown metric {self.metric!r}; one of: {', '.join(METRICS)}")
            if self.above is None and self.below is None:
                raise ValueError("a metric condition needs above, below or both")
        return self


class FilterProcessor(_Strict):
    """Keeps or drops the processes that match; `action` is required so nobody has to guess."""

    type: Literal["filter"]
    action: Literal["keep", "drop"]
    match: Literal["any", "all"] = "any"
    conditions: list[Condition] = Field(min_length=1)


class LoadBand(_Strict):
    load_above: float = Field(ge=0, le=100)
    k: int = Field(ge=1)


class AdaptiveK(_Strict):
    """K from the host-load band; a new band must hold for `hysteresis_seconds` to take over."""

    default_k: int = Field(ge=1)
    bands: list[LoadBand] = Field(min_length=1)
    hysteresis_seconds: float = Field(default=30, ge=0)
    min_k: int = Field(default=5, ge=1)
    max_k: int = Field(default=50, ge=1)


class TopKProcessor(_Strict):
    """Keeps the K busiest processes by CPU, then memory, plus an always-keep list."""

    type: Literal["topk"]
    k: int | None = Field(default=None, ge=1)
    adaptive: AdaptiveK | None = None
    always_keep: NameMatch = NameMatch()
    collector_cpu_percent: float = Field(
        default=1.0,
        ge=0,
        description="What a collector keeps in place of the ranking it cannot do: every process"
        " at or above this share of one core.",
    )

    @model_validator(mode="after")
    def _one_k(self) -> Self:
        if (self.k is None) == (self.adaptive is None):
            raise ValueError("give either k (a fixed number) or adaptive (bands), not both")
        return self


class LoadScaling(_Strict):
    load_above: float = Field(ge=0, le=100)
    factor: float = Field(gt=0)


class AdaptiveThresholdsProcessor(_Strict):
    """Keeps processes above a CPU or memory threshold that rises with host load."""

    type: Literal["adaptive_thresholds"]
    cpu_percent: float = Field(default=5.0, ge=0)
    memory_mb: float = Field(default=100.0, ge=0)
    scaling: list[LoadScaling] = [
        LoadScaling(load_above=80, factor=2.0),
        LoadScaling(load_above=60, factor=1.5),
    ]
    min_age_seconds: float = Field(default=0, ge=0)
    max_processes: int | None = Field(default=None, ge=1)


class RollupProcessor(_Strict):
    """Sums what earlier processors left out into one series per category."""

    type: Literal["rollup"]
    categories: dict[str, NameMatch] = {}
    other: str = "_other_"


class ReservoirProcessor(_Strict):
    """Keeps a stable sample of `size` processes and records the sample rate on each."""

    type: Literal["reservoir"]
    size: int = Field(default=125, ge=1)
    from_left_out: bool = Field(
        default=False,
        description="Sample the processes earlier steps left out (NRDOT's tail sampler) and put"
        " the sample back beside what they kept; the rest stays for the rollup.",
    )


class AttributeDropProcessor(_Strict):
    type: Literal["attribute_drop"]
    attributes: list[str] = Field(min_length=1)

    @field_validator("attributes")
    @classmethod
    def _known(cls, attributes: list[str]) -> list[str]:
        for attribute in attributes:
            if attribute not in RESOURCE_ATTRIBUTES:
                raise ValueError(
                    f"unknown attribute {attribute!r}; one of: {', '.join(RESOURCE_ATTRIBUTES)}"
                )
        return attributes


Processor = Annotated[
    PriorityProcessor
    | FilterProcessor
    | TopKProcessor
    | AdaptiveThresholdsProcessor
    | RollupProcessor
    | ReservoirProcessor
    | AttributeDropProcessor,
    Field(discriminator="type"),
]

PROCESSOR_TYPES = (
    "priority",
    "filter",
    "topk",
    "adaptive_thresholds",
    "rollup",
    "reservoir",
    "attribute_drop",
)


class ExpectedReduction(_Strict):
    min: float = Field(ge=0, le=100)
    max: float = Field(ge=0, le=100)


class OtlpHttpExport(_Strict):
    endpoint: str
    headers: dict[str, str] = {}


class PrometheusExport(_Strict):
    endpoint: str = "127.0.0.1:8889"


class Export(_Strict):
    """Where a collector running this pipeline sends it. The prometheus exporter is there
    unless set to null; a fleet's hosts send OTLP to their gateway and export to Prometheus
    themselves only when the pipeline says so explicitly."""

    prometheus: PrometheusExport | None = PrometheusExport()
    otlphttp: OtlpHttpExport | None = None


class Pipeline(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str
    expected_reduction: ExpectedReduction
    critical_processes: NameMatch
    collection_interval_seconds: float = Field(default=10, gt=0)
    processors: list[Processor] = []
    export: Export = Export()
    documented_params: list[dict[str, str]] = Field(
        default=[],
        description="--param sets the pipeline is documented with (each one is rendered and"
        " checked by the collector in the tests).",
    )
    collector_tolerance_percent: float = Field(
        default=10,
        ge=0,
        description="How far a collector running this pipeline's render may be from the engine's"
        " series count, in percent: 10 where the render is exact, the documented approximation"
        " where it is not.",
    )
