"""The bundled pipelines, and finding one by name (with a close-name hint on a typo)."""

from __future__ import annotations

import difflib
from importlib import resources
from typing import Any

from groundwork.errors import ExitCode, ToolError
from phoenix.pipelines import spec
from phoenix.pipelines.loader import load_text, parse
from phoenix.pipelines.results import PipelineSummary


def names() -> list[str]:
    folder = resources.files("phoenix.pipelines") / "catalog"
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def source(name: str) -> str:
    """The YAML text of a bundled pipeline."""
    if name not in names():
        close = difflib.get_close_matches(name, names(), n=3)
        raise ToolError(
            "PHOENIX_PIPELINE_NOT_FOUND",
            f"There is no pipeline named {name!r} in the catalog.",
            suggestions=[f"Did you mean {', '.join(close)}?" for _ in close[:1]]
            + ["Run `phoenix pipeline list` to see the catalog."],
            exit_code=ExitCode.NOT_FOUND,
        )
    folder = resources.files("phoenix.pipelines") / "catalog"
    return (folder / f"{name}.yaml").read_text(encoding="utf-8")


def get(name: str) -> spec.Pipeline:
    return load_text(source(name), f"catalog:{name}")


def all_pipelines() -> list[spec.Pipeline]:
    return [get(name) for name in names()]


def summaries() -> list[PipelineSummary]:
    """The catalog as `pipeline list` shows it.

    Only the fields shown are read: the bundled files are checked in full by the tests, and a
    listing that built every processor's schema would cost the command most of its start-up.
    """
    found = []
    measured = measurements().get("pipelines", {})
    for name in names():
        _, data = parse(source(name))
        figures = measured.get(name, {})
        found.append(
            PipelineSummary.model_validate(
                {
                    **{key: data[key] for key in PipelineSummary.model_fields if key in data},
                    "processors": [processor["type"] for processor in data.get("processors", [])],
                    "collector": figures.get("fidelity"),
                    "collector_difference_percent": figures.get("collector_difference_percent"),
                }
            )
        )
    return found


def measurements() -> dict[str, Any]:
    """What bench/collector_vs_engine.py last measured for each pipeline, engine and collector."""
    import json

    path = resources.files("phoenix.pipelines") / "catalog" / "measurements.json"
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return found
