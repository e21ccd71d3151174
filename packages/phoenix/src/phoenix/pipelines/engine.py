"""Runs a pipeline over a batch, and is the one place that keeps critical processes.

After every processor the engine looks for critical rows that went missing and puts them back;
the other dropped rows go to a pool the rollup can sum. That way the guarantee holds for every
processor, present and future, and the rollup sees exactly what was left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from phoenix.collector.model import ProcessBatch
from phoenix.pipelines import spec
from phoenix.pipelines.processors import Processor, RunContext, build, name_matcher


@dataclass(frozen=True)
class RunResult:
    output: ProcessBatch
    input_series: int
    output_series: int
    critical_in_input: int
    critical_retained: int
    restored_by_engine: int
    """Critical rows a processor dropped and the engine put back."""
    left_out_rows: int
    """Rows dropped and not rolled up: their values are missing from the output's totals."""

    @property
    def reduction_percent(self) -> float:
        if not self.input_series:
            return 0.0
        return 100.0 * (1 - self.output_series / self.input_series)

    @property
    def critical_retention_percent(self) -> float:
        if not self.critical_in_input:
            return 100.0
        return 100.0 * self.critical_retained / self.critical_in_input

    def summary(self) -> dict[str, float | int]:
        return {
            "input_series": self.input_series,
            "output_series": self.output_series,
            "reduction_percent": round(self.reduction_percent, 2),
            "critical_in_input": self.critical_in_input,
            "critical_retained": self.critical_retained,
            "critical_retention_percent": round(self.critical_retention_percent, 2),
            "restored_by_engine": self.restored_by_engine,
            "left_out_rows": self.left_out_rows,
        }


class Engine:
    """One pipeline's processors with their state (adaptive K remembers its band)."""

    def __init__(self, pipeline: spec.Pipeline) -> None:
        self.pipeline = pipeline
        self._is_critical = name_matcher(pipeline.critical_processes)
        self._steps: list[Processor] = [build(p) for p in pipeline.processors]

    def run(self, scraped: ProcessBatch) -> RunResult:
        batch = scraped.take(range(len(scraped)))
        batch.critical = [self._is_critical(name) for name in batch.name]
        context = RunContext(left_out=batch.empty_like())
        restored = 0
        critical_ids = {rid for rid, c in zip(batch.row_id, batch.critical, strict=True) if c}
        for step in self._steps:
            before = batch.take(range(len(batch)))
            batch = step.apply(batch, context)
            critical_ids.update(
                rid for rid, c in zip(batch.row_id, batch.critical, strict=True) if c
            )
            kept = set(batch.row_id)
            dropped = [i for i, rid in enumerate(before.row_id) if rid not in kept]
            if dropped:
                back = [i for i in dropped if before.row_id[i] in critical_ids]
                if back:
                    batch.extend(before.take(back))
                    restored += len(back)
                lost = [i for i in dropped if before.row_id[i] not in critical_ids]
                context.left_out.extend(before.take(lost))
            if step.consumes_left_out:
                context.left_out = batch.empty_like()
        output_ids = set(batch.row_id)
        return RunResult(
            output=batch,
            input_series=scraped.series_count,
            output_series=batch.series_count,
            critical_in_input=len(critical_ids),
            critical_retained=len(critical_ids & output_ids),
            restored_by_engine=restored,
            left_out_rows=len(context.left_out),
        )
