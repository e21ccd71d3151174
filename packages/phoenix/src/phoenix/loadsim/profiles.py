"""Load profiles: how many processes, named how, doing what, living how long."""

from __future__ import annotations

from enum import StrEnum
from itertools import product
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, ValidationError, computed_field, model_validator

from groundwork.errors import ExitCode, ToolError

__all__ = ["PROFILES", "LoadSpec", "ProcessGroup", "ProfileName", "load_spec"]

Pattern = Literal["idle", "steady", "spiky", "growing", "random"]


class ProcessGroup(BaseModel):
    """Processes sharing a name pattern and a behaviour. ``{i}`` numbers them; with a
    ``matrix`` each process takes one combination of its values (``{service}-{env}-{region}``
    over services x environments x regions), so every name is distinct."""

    name: str = Field(pattern=r"^[A-Za-z0-9{][A-Za-z0-9_.{}-]{0,40}$")
    count: int = Field(default=0, ge=0, le=5000, description="0 with a matrix: one per combination")
    matrix: dict[str, list[str]] = Field(default={})
    pattern: Pattern = "idle"
    cpu_percent: float = Field(default=0, ge=0, le=100, description="Target share of one core")
    memory_mb: int = Field(default=0, ge=0, le=4096)

    @model_validator(mode="after")
    def _sized(self) -> Self:
        if self.matrix:
            missing = [key for key in self.matrix if f"{{{key}}}" not in self.name]
            if missing:
                raise ValueError(f"the name {self.name!r} does not use {missing}")
            if not self.count:
                self.count = len(self.combinations())
        if self.count < 1:
            raise ValueError("count must be at least 1")
        return self

    def combinations(self) -> list[dict[str, str]]:
        keys = list(self.matrix)
        return [dict(zip(keys, values, strict=True)) for values in product(*self.matrix.values())]

    def process_name(self, index: int, serial: int) -> str:
        """The name of the group's index-th process (serial: the supervisor's running count)."""
        name = self.name.replace("{i}", str(serial))
        if not self.matrix:
            return name
        combinations = self.combinations()
        name = name.format_map(combinations[index % len(combinations)])
        lap = index // len(combinations)
        return f"{name}-{lap}" if lap else name


class LoadSpec(BaseModel):
    profile: str
    groups: list[ProcessGroup]
    churn_per_minute: float = Field(default=0, ge=0, description="Processes replaced per minute")
    duration_seconds: float | None = Field(default=None, gt=0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def process_count(self) -> int:
        return sum(g.count for g in self.groups)


def _realistic() -> LoadSpec:
    return LoadSpec(
        profile="realistic",
        groups=[
            ProcessGroup(name="nginx", count=4, pattern="spiky", cpu_percent=3, memory_mb=20),
            ProcessGroup(name="postgres", count=6, pattern="steady", cpu_percent=2, memory_mb=40),
            ProcessGroup(name="java", count=2, pattern="growing", cpu_percent=5, memory_mb=80),
            ProcessGroup(name="worker-{i}", count=20, pattern="random", cpu_percent=1),
            ProcessGroup(name="cron-job-{i}", count=20),
        ],
        churn_per_minute=2,
    )


SERVICES = ["api", "auth", "cart", "pay", "srch", "ship", "user", "feed"]
SERVICES += ["mail", "img", "cdn", "chat", "geo", "log", "ads", "rec"]
ENVIRONMENTS = ["prod", "stg", "qa", "dev"]
REGIONS = ["eu", "us", "ap", "sa", "af", "me"]


def _high_cardinality() -> LoadSpec:
    """16 services x 4 environments x 6 regions, every process named apart, a few busy."""
    return LoadSpec(
        profile="high-cardinality",
        groups=[
            ProcessGroup(name="nginx", count=2, pattern="steady", cpu_percent=2, memory_mb=10),
            ProcessGroup(name="postgres", count=2, pattern="steady", cpu_percent=2, memory_mb=10),
            ProcessGroup(
                name="{service}-{env}-{region}",
                matrix={"service": SERVICES, "env": ENVIRONMENTS, "region": REGIONS},
                pattern="random",
                cpu_percent=0.2,
            ),
        ],
    )


def _process_churn() -> LoadSpec:
    return LoadSpec(
        profile="process-churn",
        groups=[
            ProcessGroup(name="job-{i}", count=60, pattern="spiky", cpu_percent=1),
            ProcessGroup(name="postgres", count=2, pattern="steady", cpu_percent=2),
        ],
        churn_per_minute=60,
    )


class ProfileName(StrEnum):
    REALISTIC = "realistic"
    HIGH_CARDINALITY = "high-cardinality"
    PROCESS_CHURN = "process-churn"
    CUSTOM = "custom"
    """Read from the file given with --spec."""


PROFILES = {
    ProfileName.REALISTIC: _realistic,
    ProfileName.HIGH_CARDINALITY: _high_cardinality,
    ProfileName.PROCESS_CHURN: _process_churn,
}


def _custom(spec_file: Path | None) -> LoadSpec:
    import yaml  # only a custom spec is a file to parse

    if spec_file is None:
        raise ToolError(
            "PHOENIX_LOADSIM_SPEC_REQUIRED",
            "The custom profile needs a spec file.",
            suggestions=["Pass --spec FILE (see phoenix loadsim list-profiles for the shape)."],
            exit_code=ExitCode.USAGE,
        )
    try:
        text = spec_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(
            "PHOENIX_LOADSIM_SPEC_UNREADABLE",
            f"Could not read the load spec {spec_file}: {exc}.",
            suggestions=["Check the path given with --spec."],
            exit_code=ExitCode.NOT_FOUND if isinstance(exc, FileNotFoundError) else ExitCode.USAGE,
        ) from None
    try:
        return LoadSpec.model_validate({"profile": "custom", **yaml.safe_load(text)})
    except (ValidationError, yaml.YAMLError, TypeError) as exc:
        raise ToolError(
            "PHOENIX_LOADSIM_SPEC_INVALID",
            f"{spec_file} is not a valid load spec: {exc}",
            suggestions=["Give groups: [{name, count, pattern, cpu_percent, memory_mb}]."],
            exit_code=ExitCode.USAGE,
        ) from None


def load_spec(
    profile: ProfileName,
    *,
    process_count: int | None = None,
    churn_rate: float | None = None,
    duration: float | None = None,
    spec_file: Path | None = None,
) -> LoadSpec:
    spec = _custom(spec_file) if profile is ProfileName.CUSTOM else PROFILES[profile]()
    if process_count is not None:
        scale = process_count / spec.process_count
        for group in spec.groups:
            group.count = max(1, round(group.count * scale))
    if churn_rate is not None:
        spec.churn_per_minute = churn_rate
    if duration is not None:
        spec.duration_seconds = duration
    return spec
