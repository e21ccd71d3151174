"""A processed scrape as Prometheus metric families, rendered by prometheus_client.

Names follow the collector's Prometheus exporter: OpenTelemetry names get their unit and
`_total` for counters (`process.cpu.time` -> `process_cpu_time_seconds_total`); resource
attributes become labels with dots replaced by underscores. A rolled-up or sampled row has other
attributes than a process, so each sample carries its own label set.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)

from phoenix.collector.model import METRIC_SERIES, ProcessBatch

__all__ = ["CONTENT_TYPE", "PROMETHEUS_NAMES", "ScrapeSnapshot", "exposition", "families"]

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""The text format `generate_latest` writes."""

PROMETHEUS_NAMES = {
    "process.cpu.time": ("process_cpu_time_seconds_total", "counter", "CPU time, by state."),
    "process.memory.usage": ("process_memory_usage_bytes", "gauge", "Resident memory."),
    "process.memory.virtual": ("process_memory_virtual_bytes", "gauge", "Virtual memory."),
    "process.disk.io": ("process_disk_io_bytes_total", "counter", "Disk bytes, by direction."),
    "process.threads": ("process_threads", "gauge", "Threads."),
    "process.open_file_descriptors": (
        "process_open_file_descriptors",
        "gauge",
        "Open file descriptors.",
    ),
}


@dataclass(frozen=True)
class ScrapeSnapshot:
    """One scrape as the agent exposes it: what the pipeline kept, and the agent's own figures
    at that moment, so every number on /metrics describes the same scrape.
    """

    pipeline: str
    output: ProcessBatch
    input_series: int
    output_series: int
    scrapes: int
    cpu_seconds: float
    resident_bytes: int
    critical_in_input: int = 0
    critical_retained: int = 0
    interval_seconds: float = 0.0
    scraped_at: float = 0.0
    """Unix time of the scrape, so a reader can tell a live agent from a stuck one."""
    otlp_exported_datapoints: int | None = None
    """None when the agent does not export OTLP; then the OTLP counters are left out."""
    otlp_failures: int | None = None


def _process_families(batch: ProcessBatch) -> list[Metric]:
    """One family per metric; its label names are the union over the rows, and a row without
    one of them (a rollup has no pid) gives it the empty value, which Prometheus treats as no
    label at all, so the stored series are exactly the row's attributes.
    """
    rows = [
        {key.replace(".", "_"): str(value) for key, value in batch.resource_attributes(i).items()}
        for i in range(len(batch))
    ]
    names = list(dict.fromkeys(name for row in rows for name in row))
    made: dict[str, CounterMetricFamily | GaugeMetricFamily] = {}
    for metric, point_attrs in METRIC_SERIES:
        if metric not in made:
            name, kind, help_text = PROMETHEUS_NAMES[metric]
            family = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            made[metric] = family(name, help_text, labels=[*names, *point_attrs])
    for index, row in enumerate(rows):
        values = [row.get(name, "") for name in names]
        for (metric, point_attrs), value in zip(
            METRIC_SERIES, batch.series_values(index), strict=True
        ):
            made[metric].add_metric([*values, *point_attrs.values()], float(value))
    found: list[Metric] = [*made.values()]
    return found


def families(snapshot: ScrapeSnapshot) -> list[Metric]:
    found = _process_families(snapshot.output)
    found += [
        GaugeMetricFamily(
            "phoenix_pipeline_input_series",
            "Series the scrape had before the pipeline.",
            value=snapshot.input_series,
        ),
        GaugeMetricFamily(
            "phoenix_pipeline_output_series",
            "Series the pipeline kept: the process_ series on this page.",
            value=snapshot.output_series,
        ),
        GaugeMetricFamily(
            "phoenix_pipeline_critical_input",
            "Critical processes the scrape had.",
            value=snapshot.critical_in_input,
        ),
        GaugeMetricFamily(
            "phoenix_pipeline_critical_retained",
            "Critical processes the pipeline kept.",
            value=snapshot.critical_retained,
        ),
        CounterMetricFamily(
            "phoenix_agent_scrapes_total", "Scrapes the agent made.", value=snapshot.scrapes
        ),
        GaugeMetricFamily(
            "phoenix_agent_interval_seconds",
            "Seconds between the agent's scrapes.",
            value=snapshot.interval_seconds,
        ),
        GaugeMetricFamily(
            "phoenix_agent_last_scrape_timestamp_seconds",
            "When the agent last scraped (Unix time).",
            value=snapshot.scraped_at,
        ),
        CounterMetricFamily(
            "phoenix_agent_cpu_seconds_total",
            "The agent's own CPU time.",
            value=snapshot.cpu_seconds,
        ),
        GaugeMetricFamily(
            "phoenix_agent_resident_memory_bytes",
            "The agent's own resident memory.",
            value=snapshot.resident_bytes,
        ),
        InfoMetricFamily(
            "phoenix_pipeline", "The deployed pipeline.", value={"pipeline": snapshot.pipeline}
        ),
    ]
    if snapshot.otlp_exported_datapoints is not None:
        found.append(
            CounterMetricFamily(
                "phoenix_otlp_exported_datapoints_total",
                "Datapoints the OTLP endpoint accepted.",
                value=snapshot.otlp_exported_datapoints,
            )
        )
    if snapshot.otlp_failures is not None:
        found.append(
            CounterMetricFamily(
                "phoenix_otlp_export_failures_total",
                "Scrapes that could not be exported over OTLP and were dropped.",
                value=snapshot.otlp_failures,
            )
        )
    return found


class _Families:
    """The prometheus_client collector protocol over a fixed list of families."""

    def __init__(self, found: list[Metric]) -> None:
        self._found = found

    def collect(self) -> list[Metric]:
        return self._found


def exposition(found: list[Metric]) -> bytes:
    """The Prometheus text format of the families, as /metrics serves it."""
    return generate_latest(_Families(found))
