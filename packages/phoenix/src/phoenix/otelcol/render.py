"""A pipeline as an OpenTelemetry Collector configuration that keeps what phoenix's engine keeps.

The engine decides per process; the collector's process scraper emits each process as a resource
with its identity as resource attributes. So the render works on whole processes:

1. `transform/measure` copies the values the pipeline tests (CPU, memory...) from the process's
   datapoints onto its resource, and marks critical processes (`phoenix.critical`).
2. Each processor becomes `transform` statements that set `phoenix.dropped` on the processes it
   leaves out, never on a critical one, just as the engine puts critical rows back after every
   step.
3. A rollup renames the processes left out so far to their category, with no pid or command
   line; `groupbyattrs` then merges those identical resources and `aggregate_on_attributes`
   sums their datapoints: one series set per category, totals kept.
4. `filter/drop` removes every process still marked, all its metrics at once, and the helper
   metrics; `transform/cleanup` deletes the helper attributes (before the merge, or the rollup
   resources would differ by them).
5. The prometheus exporter turns resource attributes into labels
   (`resource_to_telemetry_conversion`), so each process keeps its own series.

What a collector cannot do (rank processes against each other, follow host load, sample) is
approximated, and each approximation is listed in the render's steps and header comment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from phoenix.otelcol import ottl
from phoenix.otelcol.ottl import CRITICAL, DROPPED, NAME, PRIORITY, attr
from phoenix.pipelines import spec
from phoenix.pipelines.results import RenderStep

__all__ = ["COLLECTOR_RELEASE", "RenderOptions", "Rendered", "render_otelcol"]

COLLECTOR_RELEASE = "0.149.0"
"""The collector release phoenix-otelcol is built from (packages/phoenix/otelcol/go.mod) and the
contrib image the Kubernetes manifests pin."""

MB = 1024 * 1024

CATEGORY = attr("phoenix.rollup.category")
HELPERS = ("phoenix.critical", "phoenix.dropped", *ottl.METRIC_ATTRIBUTE.values(), "phoenix.age")
HELPER_METRICS = ("process.cpu.utilization", "process.uptime")
"""Enabled only for the conditions; the engine exports neither, so neither leaves."""


@dataclass(frozen=True)
class RenderOptions:
    """Where the config runs. `cores` turns the scraper's utilization (a share of all cores)
    into the pipeline files' percent of one core."""

    cores: int | None = None
    """None: this machine's CPU count."""
    prometheus_endpoint: str | None = None
    """Overrides the pipeline's; `""` leaves the prometheus exporter out."""
    otlp_endpoint: str | None = None
    """Also (or, in gateway mode, only) send OTLP/HTTP here."""
    health_endpoint: str = "127.0.0.1:13133"
    telemetry_host: str = "127.0.0.1"
    telemetry_port: int = 8888
    collection_interval_seconds: float | None = None
    resource_attributes: dict[str, str] = field(default_factory=dict)
    """Set on every process (host.name, phoenix.group...), e.g. for a fleet's gateway."""
    root_path: str | None = None
    """`/hostfs` for a collector in a container that mounts the host there; None on a host."""


@dataclass
class Rendered:
    config: dict[str, Any]
    steps: list[RenderStep]

    @property
    def approximate(self) -> bool:
        return any(not step.exact for step in self.steps)

    @property
    def notes(self) -> list[str]:
        return [
            f"processor {s.index} ({s.processor}): collector-approximate: {s.note}"
            for s in self.steps
            if not s.exact
        ]


def _dropped_unless(keep: str) -> str:
    """Mark a process left out unless `keep` holds (critical and already-dropped ones aside)."""
    return (
        f'set({DROPPED}, "true") where {ottl.not_set(CRITICAL)} and {ottl.not_set(DROPPED)}'
        f" and not ({keep})"
    )


class _Builder:
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
        return RenderStep(
            index=index,
            processor="reservoir",
            collector=[],
            exact=False,
            note=(
                f"not sampled: a collector cannot choose {step.size} processes out of all, so"
                " every process is kept (no reduction from this step, nothing lost)"
            ),
        )

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


def render_otelcol(pipeline: spec.Pipeline, options: RenderOptions | None = None) -> Rendered:
    """The collector config for `pipeline`, and how each of its processors was rendered."""
    options = options or RenderOptions()
    b = _Builder(pipeline, options)
    for index, step in enumerate(pipeline.processors):
        match step:
            case spec.PriorityProcessor():
                b.steps.append(b.priority(index, step))
            case spec.FilterProcessor():
                b.steps.append(b.filter(index, step))
            case spec.TopKProcessor():
                b.steps.append(b.topk(index, step))
            case spec.AdaptiveThresholdsProcessor():
                b.steps.append(b.adaptive(index, step))
            case spec.ReservoirProcessor():
                b.steps.append(b.reservoir(index, step))
            case spec.RollupProcessor():
                b.steps.append(b.rollup(index, step))
            case spec.AttributeDropProcessor():
                b.steps.append(b.attribute_drop(index, step))
    marks = list(b.marks)
    b.marks = []
    measure = b.measure()
    if measure is not None:
        b.add("transform/measure", measure)
    b.marks = marks
    for rendered in b.steps:
        if rendered.processor != "attribute_drop" and not rendered.collector:
            rendered.collector.append("transform/steps")
    b.flush_marks("transform/steps")
    b.finish()
    return Rendered(config=_config(pipeline, options, b), steps=b.steps)


def _config(pipeline: spec.Pipeline, options: RenderOptions, b: _Builder) -> dict[str, Any]:
    metrics: dict[str, Any] = {
        "process.threads": {"enabled": True},
        "process.open_file_descriptors": {"enabled": True},
    }
    for metric in sorted(b.metrics_needed & set(HELPER_METRICS)):
        metrics[metric] = {"enabled": True}
    if b.need_age:
        metrics["process.uptime"] = {"enabled": True}
    receiver: dict[str, Any] = {
        "collection_interval": (
            f"{options.collection_interval_seconds or pipeline.collection_interval_seconds:g}s"
        ),
        "scrapers": {
            "process": {
                "mute_process_name_error": True,
                "mute_process_exe_error": True,
                "mute_process_io_error": True,
                "mute_process_user_error": True,
                "mute_process_cgroup_error": True,
                "resource_attributes": {"process.command": {"enabled": False}},
                "metrics": metrics,
            }
        },
    }
    if options.root_path:
        receiver["root_path"] = options.root_path
    exporters: dict[str, Any] = {}
    endpoint = (
        pipeline.export.prometheus.endpoint
        if options.prometheus_endpoint is None and pipeline.export.prometheus is not None
        else options.prometheus_endpoint
    )
    if endpoint:
        exporters["prometheus"] = {
            "endpoint": endpoint,
            "resource_to_telemetry_conversion": {"enabled": True},
            "metric_expiration": f"{max(60.0, 3 * float(receiver['collection_interval'][:-1])):g}s",
        }
    otlp = options.otlp_endpoint or (
        pipeline.export.otlphttp.endpoint if pipeline.export.otlphttp else None
    )
    if otlp:
        exporters["otlphttp"] = {"endpoint": otlp, "compression": "gzip"}
        if (
            pipeline.export.otlphttp
            and pipeline.export.otlphttp.headers
            and not options.otlp_endpoint
        ):
            exporters["otlphttp"]["headers"] = dict(pipeline.export.otlphttp.headers)
    return {
        "extensions": {"health_check": {"endpoint": options.health_endpoint}},
        "receivers": {"hostmetrics": receiver},
        "processors": b.processors,
        "exporters": exporters,
        "service": {
            "extensions": ["health_check"],
            "telemetry": {
                "metrics": {
                    "level": "normal",
                    "readers": [
                        {
                            "pull": {
                                "exporter": {
                                    "prometheus": {
                                        "host": options.telemetry_host,
                                        "port": options.telemetry_port,
                                    }
                                }
                            }
                        }
                    ],
                }
            },
            "pipelines": {
                "metrics": {
                    "receivers": ["hostmetrics"],
                    "processors": b.order,
                    "exporters": list(exporters),
                }
            },
        },
    }
