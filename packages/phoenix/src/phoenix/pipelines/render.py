"""A pipeline as an OpenTelemetry Collector (contrib) configuration, and as Kubernetes manifests.

The mapping: the hostmetrics process scraper produces the same resource attributes and metrics;
name-based classification becomes `transform` statements setting `phoenix.priority`; our filters
become the `filter` processor, whose conditions DROP what matches (so a "keep" filter is written
as the negation); rollups set the left-out processes' names to the category and `transform`'s
`aggregate_on_attributes` sums them; attribute drops become the `resource` processor. Top-k and
reservoir sampling have no collector equivalent: they are approximated by a CPU-utilisation
threshold and said so in a comment.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from phoenix.pipelines import spec

__all__ = ["render_k8s", "render_notes", "render_otelcol"]

NAME = 'resource.attributes["process.executable.name"]'


def _name_regex(match: spec.NameMatch) -> str | None:
    parts = [f"^{re.escape(n)}$" for n in match.names] + [f"^(?:{p})$" for p in match.patterns]
    return "|".join(parts) if parts else None


def _not_critical(pipeline: spec.Pipeline) -> str:
    regex = _name_regex(pipeline.critical_processes)
    return f' and not IsMatch({NAME}, "{regex}")' if regex else ""


def _condition(c: spec.Condition) -> str:
    if c.priority:
        options = "|".join(c.priority)
        return f'IsMatch(resource.attributes["phoenix.priority"], "^({options})$")'
    if c.attribute:
        key = f'resource.attributes["{c.attribute}"]'
        if c.equals is not None:
            return f'{key} == "{c.equals}"'
        if c.in_ is not None:
            return f'IsMatch({key}, "^({"|".join(map(re.escape, c.in_))})$")'
        return f'IsMatch({key}, "{c.matches}")'
    metric = "process.cpu.utilization" if c.metric and "cpu" in c.metric else c.metric
    test = f"value_double > {c.above}" if c.above is not None else f"value_double < {c.below}"
    return f'metric.name == "{metric}" and {test}'


def render_otelcol(pipeline: spec.Pipeline) -> dict[str, Any]:
    processors: dict[str, Any] = {
        "memory_limiter": {
            "check_interval": "1s",
            "limit_percentage": 80,
            "spike_limit_percentage": 20,
        }
    }
    order = ["memory_limiter"]
    guard = _not_critical(pipeline)
    for index, step in enumerate(pipeline.processors):
        if isinstance(step, spec.PriorityProcessor):
            statements = ['set(resource.attributes["phoenix.priority"], "low")']
            for level in ("medium", "high", "critical"):
                regex = _name_regex(getattr(step, level))
                if regex:
                    statements.append(
                        f'set(resource.attributes["phoenix.priority"], "{level}")'
                        f' where IsMatch({NAME}, "{regex}")'
                    )
            processors[f"transform/priority-{index}"] = {
                "error_mode": "ignore",
                "metric_statements": [{"context": "resource", "statements": statements}],
            }
            order.append(f"transform/priority-{index}")
            continue
        if isinstance(step, spec.FilterProcessor):
            joined = (" or " if step.match == "any" else " and ").join(
                f"({_condition(c)})" for c in step.conditions
            )
            drop = f"not ({joined})" if step.action == "keep" else f"({joined})"
            processors[f"filter/{index}"] = {
                "error_mode": "ignore",
                "metrics": {"datapoint": [drop + guard]},
            }
            order.append(f"filter/{index}")
        elif isinstance(
            step, spec.TopKProcessor | spec.AdaptiveThresholdsProcessor | spec.ReservoirProcessor
        ):
            threshold = (
                step.cpu_percent / 100
                if isinstance(step, spec.AdaptiveThresholdsProcessor)
                else 0.01
            )
            keep = _name_regex(step.always_keep) if isinstance(step, spec.TopKProcessor) else None
            keep_guard = f' and not IsMatch({NAME}, "{keep}")' if keep else ""
            processors[f"filter/{index}"] = {
                "error_mode": "ignore",
                "metrics": {
                    "datapoint": [
                        f'metric.name == "process.cpu.utilization" and value_double < {threshold}'
                        + guard
                        + keep_guard
                    ]
                },
            }
            order.append(f"filter/{index}")
        elif isinstance(step, spec.RollupProcessor):
            statements = []
            for category, match in step.categories.items():
                regex = _name_regex(match)
                if regex:
                    statements.append(
                        f'set(resource.attributes["process.executable.name"], "{category}")'
                        f' where IsMatch({NAME}, "{regex}")'
                    )
            processors[f"transform/{index}"] = {
                "error_mode": "ignore",
                "metric_statements": [
                    {
                        "context": "resource",
                        "statements": statements
                        or ['set(resource.attributes["phoenix.rollup"], "true")'],
                    },
                    {
                        "context": "metric",
                        "statements": [
                            'aggregate_on_attributes("sum",'
                            ' ["process.executable.name", "state", "direction"])'
                        ],
                    },
                ],
            }
            order.append(f"transform/{index}")
        elif isinstance(step, spec.AttributeDropProcessor):
            processors[f"resource/{index}"] = {
                "attributes": [{"key": key, "action": "delete"} for key in step.attributes]
            }
            order.append(f"resource/{index}")
    processors["batch"] = {}
    order.append("batch")
    exporters: dict[str, Any] = {"prometheus": {"endpoint": pipeline.export.prometheus.endpoint}}
    if pipeline.export.otlphttp:
        exporters["otlphttp"] = {
            "endpoint": pipeline.export.otlphttp.endpoint,
            "headers": pipeline.export.otlphttp.headers,
        }
    return {
        "receivers": {
            "hostmetrics": {
                "collection_interval": f"{pipeline.collection_interval_seconds:g}s",
                "root_path": "/hostfs",
                "scrapers": {
                    "process": {
                        "mute_process_name_error": True,
                        "mute_process_exe_error": True,
                        "mute_process_io_error": True,
                        "mute_process_user_error": True,
                        "metrics": {
                            "process.threads": {"enabled": True},
                            "process.open_file_descriptors": {"enabled": True},
                            "process.cpu.utilization": {"enabled": True},
                        },
                    }
                },
            }
        },
        "processors": processors,
        "exporters": exporters,
        "service": {
            "pipelines": {
                "metrics": {
                    "receivers": ["hostmetrics"],
                    "processors": order,
                    "exporters": list(exporters),
                }
            }
        },
    }


def render_notes(pipeline: spec.Pipeline) -> list[str]:
    """What the collector config cannot express exactly, to print above it as comments."""
    return [
        f"processor {i} ({step.type}) has no collector equivalent;"
        " approximated by a CPU-utilisation threshold"
        for i, step in enumerate(pipeline.processors)
        if isinstance(
            step, spec.TopKProcessor | spec.AdaptiveThresholdsProcessor | spec.ReservoirProcessor
        )
    ]


def render_k8s(pipeline: spec.Pipeline, namespace: str = "observability") -> list[dict[str, Any]]:
    name = f"phoenix-{pipeline.name}"
    config = yaml.safe_dump(render_otelcol(pipeline), sort_keys=False)
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "phoenix"}
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "data": {"config.yaml": config},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "hostPID": True,
                        "containers": [
                            {
                                "name": "otelcol",
                                "image": "otel/opentelemetry-collector-contrib:0.115.0",
                                "args": ["--config=/conf/config.yaml"],
                                "ports": [{"name": "metrics", "containerPort": 8889}],
                                "resources": {
                                    "requests": {"cpu": "50m", "memory": "64Mi"},
                                    "limits": {"cpu": "200m", "memory": "200Mi"},
                                },
                                "volumeMounts": [
                                    {"name": "config", "mountPath": "/conf"},
                                    {"name": "hostfs", "mountPath": "/hostfs", "readOnly": True},
                                ],
                            }
                        ],
                        "volumes": [
                            {"name": "config", "configMap": {"name": name}},
                            {"name": "hostfs", "hostPath": {"path": "/"}},
                        ],
                    },
                },
            },
        },
    ]
