"""A catalog pipeline as the console shows it: the YAML beside its collector config, its
strategy step by step, the settings `--param` can change, what the bench measured."""

from __future__ import annotations

from typing import Any

import yaml

from phoenix.console.results import CatalogEntry, Measurement, Parameter
from phoenix.otelcol.compose import collector_config
from phoenix.pipelines import catalog
from phoenix.pipelines.results import RenderFormat

__all__ = ["catalog_entry"]


def _parameters(data: dict[str, Any]) -> list[Parameter]:
    found = []
    seen: set[str] = set()
    for processor in data.get("processors") or []:
        kind = processor["type"]
        if kind in seen:  # --param sets the first processor of a type
            continue
        seen.add(kind)
        for field, value in processor.items():
            if field == "type":
                continue
            text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
            found.append(Parameter(name=f"{kind}.{field}", value=text.removesuffix("\n...")))
    return found


def catalog_entry(name: str) -> CatalogEntry:
    source = catalog.source(name)
    data = yaml.safe_load(source)
    [summary] = [s for s in catalog.summaries() if s.name == name]
    config = collector_config(name, RenderFormat.OTELCOL, {})
    header = [
        f"phoenix pipeline {config.pipeline}: collector {config.fidelity}"
        f" (release {config.collector_release})",
        *config.notes,
    ]
    collector_yaml = "".join(f"# {line}\n" for line in header) + yaml.safe_dump_all(
        config.documents, sort_keys=False
    )
    strategy = [
        f"{step.processor}: {'exact' if step.exact else 'approximate'} on a collector"
        + (f" ({step.note})" if step.note else "")
        for step in config.steps
    ] or ["no processors: every process and every series (the control)"]
    measured = catalog.measurements().get("pipelines", {}).get(name)
    return CatalogEntry(
        summary=summary,
        strategy=strategy,
        parameters=_parameters(data),
        documented_params=data.get("documented_params", []),
        source=source,
        collector_config=config,
        collector_yaml=collector_yaml,
        measurement=Measurement.model_validate(measured) if measured else None,
        deploy_command=f"phoenix pipeline deploy {name}",
    )
