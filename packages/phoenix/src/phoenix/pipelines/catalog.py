"""The bundled pipelines, and finding one by name (with a close-name hint on a typo)."""

from __future__ import annotations

import difflib
from importlib import resources

from groundwork.errors import ExitCode, ToolError
from phoenix.pipelines import spec
from phoenix.pipelines.loader import load_text


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
