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

from dataclasses import dataclass
from typing import Any

from phoenix.otelcol.options import RenderOptions
from phoenix.otelcol.steps import HELPER_METRICS, Builder
from phoenix.pipelines import spec
from phoenix.pipelines.results import RenderStep

__all__ = ["COLLECTOR_RELEASE", "RenderOptions", "Rendered", "render_otelcol"]

COLLECTOR_RELEASE = "0.149.0"
"""The collector release phoenix-otelcol is built from (packages/phoenix/otelcol/go.mod) and the
contrib image the Kubernetes manifests pin."""


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


def render_otelcol(pipeline: spec.Pipeline, options: RenderOptions | None = None) -> Rendered:
    """The collector config for `pipeline`, and how each of its processors was rendered."""
    options = options or RenderOptions()
    b = Builder(pipeline, options)
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


def _config(pipeline: spec.Pipeline, options: RenderOptions, b: Builder) -> dict[str, Any]:
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
