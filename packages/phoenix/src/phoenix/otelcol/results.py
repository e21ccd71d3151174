"""What `phoenix pipeline verify` answers with: the collector beside the engine, counted by
Prometheus."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Side", "Verification", "VerificationResult"]


class Side(BaseModel):
    """One of the two runs, as Prometheus saw it at the moment of the count."""

    series: int = Field(description="process_* series Prometheus holds for it at that moment.")
    compared_series: int = Field(
        description="Those of processes that ran throughout the comparison, and rollups: what"
        " is compared (a process started or ended meanwhile is seen by one sampler only)."
    )
    processes: int = Field(description="Distinct processes (pids) among them.")
    critical_kept: int = Field(description="Critical processes of the host it kept.")
    cpu_percent: float = Field(
        description="Its own CPU after start-up, over the collections compared, percent of a core."
    )
    rss_mb: float = Field(description="Its own resident memory at the end.")


class Verification(BaseModel):
    pipeline: str
    fidelity: Literal["exact", "approximate"]
    collector_binary: str
    interval_seconds: float
    engine: Side
    collector: Side
    difference_percent: float = Field(
        description="(collector - engine) / engine compared series, in percent."
    )
    tolerance_percent: float = Field(
        description="10, or the pipeline's documented approximation (collector_tolerance_percent)."
    )
    tolerance_series: int = Field(
        description="The difference allowed: tolerance_percent of the engine's series, and at"
        " least two processes' series (two samplers a second apart may put a process on either"
        " side of a CPU threshold)."
    )
    critical_on_host: int = Field(description="Critical processes running throughout the run.")
    critical_missing: list[str] = Field(
        description="name:pid of critical processes the collector did not keep."
    )
    only_engine: list[str] = Field(description="name:pid of processes only the engine kept.")
    only_collector: list[str] = Field(description="name:pid of processes only the collector kept.")
    passed: bool
    notes: list[str]


class VerificationResult(BaseModel):
    verification: Verification
