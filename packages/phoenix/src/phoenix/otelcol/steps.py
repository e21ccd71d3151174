"""Each pipeline processor as collector configuration: statements that mark the processes a
step leaves out, the rollup that renames and merges them, and the processors that drop, clean
up and sum. `render.py` assembles these into the collector's config document."""

from __future__ import annotations

import os
from typing import Any

from phoenix.otelcol import ottl
from phoenix.otelcol.options import RenderOptions
from phoenix.otelcol.ottl import CRITICAL, DROPPED, NAME, PRIORITY, attr
from phoenix.pipelines import spec
from phoenix.pipelines.results import RenderStep

__all__ = ["HELPER_METRICS", "Builder"]

MB = 1024 * 1024

CATEGORY = attr("phoenix.rollup.category")
HELPERS = ("phoenix.critical", "phoenix.dropped", *ottl.METRIC_ATTRIBUTE.values(), "phoenix.age")
HELPER_METRICS = ("process.cpu.utilization", "process.uptime")
"""Enabled only for the conditions; the engine exports neither, so neither leaves."""


def _dropped_unless(keep: str) -> str:
    """Mark a process left out unless `keep` holds (critical and already-dropped ones aside)."""
    return (
        f'set({DROPPED}, "true") where {ottl.not_set(CRITICAL)} and {ottl.not_set(DROPPED)}'
        f" and not ({keep})"
    )


class Builder:
    def __init__(self, pipeline: spec.Pipeline, options: RenderOptions) -> None:
        self.pipeline = pipeline
        self.options = options
        self.processors: dict[str, Any] = {
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 20,
            }
        }
        self.order = ["memory_limiter"]
        self.steps: list[RenderStep] = []
        self.marks: list[str] = []
        self.metrics_needed: set[str] = set()
        self.need_age = False
        self.rolled = False
        self.dropped_attributes: list[str] = []

    def add(self, key: str, config: dict[str, Any]) -> str:
        self.processors[key] = config
        self.order.append(key)
        return key

    def flush_marks(self, key: str) -> list[str]:
        """The statements gathered so far, as one resource-context transform."""
        if not self.marks:
            return []
        statements, self.marks = self.marks, []
        return [
            self.add(
                key,
                {
                    "error_mode": "ignore",
                    "metric_statements": [{"context": "resource", "statements": statements}],
                },
            )
        ]

    def priority(self, index: int, step: spec.PriorityProcessor) -> RenderStep:
        self.marks.append(f'set({PRIORITY}, "low")')
        for level in ("medium", "high", "critical"):
            rule: spec.PriorityRule = getattr(step, level)
            tests = []
            regex = ottl.name_regex(rule)
            if regex:
                tests.append(ottl.matches(NAME, regex))
            if rule.cpu_percent_above is not None:
                self.metrics_needed.add("process.cpu.utilization")
                tests.append(f"{attr('phoenix.cpu')} > {rule.cpu_percent_above!r}")
            if rule.rss_mb_above is not None:
                self.metrics_needed.add("process.memory.usage")
                tests.append(f"{attr('phoenix.rss')} > {rule.rss_mb_above * MB!r}")
            if tests:
                self.marks.append(f'set({PRIORITY}, "{level}") where ' + " or ".join(tests))
        self.marks.append(f'set({CRITICAL}, "true") where {PRIORITY} == "critical"')
        return RenderStep(
            index=index,
            processor="priority",
            collector=[],
            exact=True,
            note="phoenix.priority set by name, CPU and memory rules, highest level winning",
        )

    def filter(self, index: int, step: spec.FilterProcessor) -> RenderStep:
        for c in step.conditions:
            if c.metric is not None:
                self.metrics_needed.add(c.metric)
        joined = (" or " if step.match == "any" else " and ").join(
            f"({ottl.condition(c)})" for c in step.conditions
        )
        if step.action == "keep":
            self.marks.append(_dropped_unless(joined))
        else:
            self.marks.append(_dropped_unless(f"not ({joined})"))
        return RenderStep(
            index=index,
            processor="filter",
            collector=[],
            exact=True,
            note=f"{step.action}s whole processes; critical processes are never marked",
        )

    def topk(self, index: int, step: spec.TopKProcessor) -> RenderStep:
        self.metrics_needed.add("process.cpu.utilization")
        keep = [f"{attr('phoenix.cpu')} >= {step.collector_cpu_percent!r}"]
        regex = ottl.name_regex(step.always_keep)
        if regex:
            keep.append(ottl.matches(NAME, regex))
        self.marks.append(_dropped_unless(" or ".join(keep)))
        k = (
            f"k={step.k}"
            if step.k
            else f"adaptive K (default {step.adaptive and step.adaptive.default_k})"
        )
        return RenderStep(
            index=index,
            processor="topk",
            collector=[],
            exact=False,
            note=(
                f"a collector cannot rank processes against each other, so top-{k} keeps every"
                f" process at or above {step.collector_cpu_percent:g}% of a core"
                " (collector_cpu_percent) plus the always-keep list; how many that is depends"
                " on the load, and host-load bands with hysteresis are not followed"
            ),
        )

    def adaptive(self, index: int, step: spec.AdaptiveThresholdsProcessor) -> RenderStep:
        self.metrics_needed.update({"process.cpu.utilization", "process.memory.usage"})
        keep = (
            f"({attr('phoenix.cpu')} >= {step.cpu_percent!r}"
            f" or {attr('phoenix.rss')} >= {step.memory_mb * MB!r})"
        )
        if step.min_age_seconds:
            self.need_age = True
            keep += f" and {attr('phoenix.age')} >= {step.min_age_seconds!r}"
        self.marks.append(_dropped_unless(keep))
        cap = (
            f"; the cap of {step.max_processes} processes is not applied"
            if step.max_processes
            else ""
        )
        return RenderStep(
            index=index,
            processor="adaptive_thresholds",
            collector=[],
            exact=False,
            note=(
                f"fixed thresholds ({step.cpu_percent:g}% of a core, {step.memory_mb:g} MB):"
                " the collector cannot see host load, so they are not raised above"
                f" {', '.join(f'{s.load_above:g}%' for s in step.scaling) or 'any load'}{cap};"
                " on a busy host it keeps more than the engine"
            ),
        )

    def reservoir(self, index: int, step: spec.ReservoirProcessor) -> RenderStep:
        note = (
            f"not sampled: a collector cannot choose {step.size} of the processes left out, so"
            " they all go to the rollup (fewer series than the engine; totals stay true)"
            if step.from_left_out
            else f"not sampled: a collector cannot choose {step.size} processes out of all, so"
            " every process is kept (no reduction from this step, nothing lost)"
        )
        return RenderStep(index=index, processor="reservoir", collector=[], exact=False, note=note)

    def rollup(self, index: int, step: spec.RollupProcessor) -> RenderStep:
        dropped = f'{DROPPED} == "true" and {ottl.not_set(CATEGORY)}'
        for label, match in step.categories.items():
            regex = ottl.name_regex(match)
            if regex:
                self.marks.append(
                    f"set({CATEGORY}, {ottl.literal(label)}) where {dropped}"
                    f" and {ottl.matches(NAME, regex)}"
                )
        self.marks.append(f"set({CATEGORY}, {ottl.literal(step.other)}) where {dropped}")
        rolled = f"{CATEGORY} != nil and {ottl.not_set(attr('phoenix.rolled'))}"
        self.marks += [
            f"set({NAME}, {CATEGORY}) where {rolled}",
            f'set({PRIORITY}, "low") where {rolled}',
            *(
                f"delete_key(resource.attributes, {ottl.literal(key)}) where {rolled}"
                for key in (
                    "process.pid",
                    "process.parent_pid",
                    "process.command_line",
                    "process.command",
                    "process.executable.path",
                    "process.owner",
                    "phoenix.dropped",
                )
            ),
            f'set({attr("phoenix.rolled")}, "true") where {CATEGORY} != nil',
        ]
        self.rolled = True
        return RenderStep(
            index=index,
            processor="rollup",
            collector=["groupbyattrs/rollup", "transform/rollup-sum"],
            exact=True,
            note=(
                "the processes left out so far take their category's name with no pid or"
                " command line; groupbyattrs merges them and aggregate_on_attributes sums"
                " them into one series set per category (no member count)"
            ),
        )

    def attribute_drop(self, index: int, step: spec.AttributeDropProcessor) -> RenderStep:
        self.dropped_attributes += step.attributes
        return RenderStep(
            index=index,
            processor="attribute_drop",
            collector=["transform/cleanup"],
            exact=True,
            note="deleted from every process: " + ", ".join(step.attributes),
        )

    def measure(self) -> dict[str, Any] | None:
        """Statements copying the tested metric values onto each process, and critical marks."""
        resource = []
        regex = ottl.name_regex(self.pipeline.critical_processes)
        if regex:
            resource.append(f'set({CRITICAL}, "true") where {ottl.matches(NAME, regex)}')
        datapoint = []
        for metric in sorted(self.metrics_needed):
            key = attr(ottl.METRIC_ATTRIBUTE[metric])
            if metric == "process.cpu.utilization":
                resource.append(f"set({key}, 0.0)")
                scale = (self.options.cores or os.cpu_count() or 1) * 100
                datapoint.append(
                    f"set({key}, {key} + value_double * {scale})"
                    f' where metric.name == "{metric}"'
                    ' and (attributes["state"] == "user" or attributes["state"] == "system")'
                )
            elif metric == "process.disk.io":
                resource.append(f"set({key}, 0)")
                datapoint.append(f'set({key}, {key} + value_int) where metric.name == "{metric}"')
            else:
                resource.append(f"set({key}, 0)")
                datapoint.append(f'set({key}, value_int) where metric.name == "{metric}"')
        if self.need_age:
            age = attr("phoenix.age")
            resource.append(f"set({age}, 0.0)")
            datapoint.append(f'set({age}, value_double) where metric.name == "process.uptime"')
        groups = []
        if resource:
            groups.append({"context": "resource", "statements": resource})
        if datapoint:
            groups.append({"context": "datapoint", "statements": datapoint})
        return {"error_mode": "ignore", "metric_statements": groups} if groups else None

    def finish(self) -> None:
        drops = (
            [f'{DROPPED} == "true"'] if any(s.processor != "priority" for s in self.steps) else []
        )
        helpers = sorted(self.metrics_needed & set(HELPER_METRICS))
        if self.need_age:
            helpers.append("process.uptime")
        conditions = drops + [f'metric.name == "{m}"' for m in helpers]
        if conditions:
            self.add(
                "filter/drop",
                {"error_mode": "ignore", "metrics": {"metric": conditions}},
            )
        cleanup = (
            [
                f"delete_key(resource.attributes, {ottl.literal(k)})"
                for k in (*HELPERS, "phoenix.rolled", *self.dropped_attributes)
            ]
            if self.steps
            else []
        )
        cleanup += [
            f"set({attr(k)}, {ottl.literal(v)})"
            for k, v in sorted(self.options.resource_attributes.items())
        ]
        if cleanup:
            self.add(
                "transform/cleanup",
                {
                    "error_mode": "ignore",
                    "metric_statements": [{"context": "resource", "statements": cleanup}],
                },
            )
        if self.rolled:
            self.add("groupbyattrs/rollup", {"keys": []})
            self.add(
                "transform/rollup-sum",
                {
                    "error_mode": "ignore",
                    # Datapoints merge only when their timestamps are equal, and the scraper
                    # stamps each process apart: zero them, sum, then stamp the sums.
                    "metric_statements": [
                        {
                            "context": "datapoint",
                            "statements": [f"set(time_unix_nano, 0) where {CATEGORY} != nil"],
                        },
                        {
                            "context": "metric",
                            "statements": [
                                f'aggregate_on_attributes("sum") where {CATEGORY} != nil'
                            ],
                        },
                        {
                            "context": "datapoint",
                            "statements": [f"set(time, Now()) where {CATEGORY} != nil"],
                        },
                    ],
                },
            )
        self.add("batch", {})
