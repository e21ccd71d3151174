"""A processed batch as Prometheus text, named as the collector's Prometheus exporter names them.

OpenTelemetry names become Prometheus names with units and `_total` for counters
(`process.cpu.time` -> `process_cpu_time_seconds_total`); resource attributes become labels with
dots replaced by underscores.
"""

from __future__ import annotations

from collections.abc import Iterable

from phoenix.collector.model import METRIC_SERIES, ProcessBatch

__all__ = ["PROMETHEUS_NAMES", "exposition"]

PROMETHEUS_NAMES = {
    "process.cpu.time": ("process_cpu_time_seconds_total", "counter"),
    "process.memory.usage": ("process_memory_usage_bytes", "gauge"),
    "process.memory.virtual": ("process_memory_virtual_bytes", "gauge"),
    "process.disk.io": ("process_disk_io_bytes_total", "counter"),
    "process.threads": ("process_threads", "gauge"),
    "process.open_file_descriptors": ("process_open_file_descriptors", "gauge"),
}


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, object]]) -> str:
    return ",".join(f'{key.replace(".", "_")}="{_escape(value)}"' for key, value in pairs)


def exposition(batch: ProcessBatch, extra: dict[str, float], pipeline: str) -> str:
    by_metric: dict[str, list[str]] = {}
    for index in range(len(batch)):
        attrs = list(batch.resource_attributes(index).items())
        for (metric, point_attrs), value in zip(
            METRIC_SERIES, batch.series_values(index), strict=True
        ):
            name, _ = PROMETHEUS_NAMES[metric]
            labels = _labels([*attrs, *point_attrs.items()])
            by_metric.setdefault(metric, []).append(f"{name}{{{labels}}} {float(value)}")
    lines: list[str] = []
    for metric, samples in by_metric.items():
        name, kind = PROMETHEUS_NAMES[metric]
        lines += [f"# TYPE {name} {kind}", *samples]
    for name, value in extra.items():
        kind = "counter" if name.endswith("_total") else "gauge"
        lines += [f"# TYPE {name} {kind}", f"{name} {value}"]
    lines += [
        "# TYPE phoenix_pipeline_info gauge",
        f'phoenix_pipeline_info{{pipeline="{_escape(pipeline)}"}} 1',
    ]
    return "\n".join(lines) + "\n"
