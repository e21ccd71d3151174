"""The examples gallery: notebooks written for peragus, shipped with it, imported with one click."""

from __future__ import annotations

from importlib.resources import files

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError

__all__ = ["Example", "ExampleList", "example_text", "examples"]

_ORDER = ("typescript-tour", "csv-report", "node-toolbox")


class Example(BaseModel):
    name: str = Field(description="Import it with POST /api/examples/NAME/import.")
    title: str
    description: str = Field(description="The notebook's first paragraph.")
    language: str


class ExampleList(BaseModel):
    examples: list[Example]


def example_text(name: str) -> str:
    if name not in _ORDER:
        raise ToolError(
            "PERAGUS_EXAMPLE_NOT_FOUND",
            f"There is no example {name!r}.",
            suggestions=["Examples: " + ", ".join(_ORDER)],
            exit_code=ExitCode.NOT_FOUND,
        )
    return (files(__name__) / f"{name}.src.md").read_text(encoding="utf-8")


def examples() -> list[Example]:
    from peragus.notebooks.model import MarkdownCell
    from peragus.notebooks.srcmd import decode

    found = []
    for name in _ORDER:
        notebook = decode(example_text(name), name)
        first = next((c.text for c in notebook.cells if isinstance(c, MarkdownCell)), "")
        found.append(
            Example(
                name=name,
                title=notebook.title,
                description=first.split("\n\n")[0],
                language=notebook.language,
            )
        )
    return found
