"""Notebook templates: starting points shipped with peragus, and the user's own, saved from a
notebook ("save as template") as a `.src.md` file in `<home>/templates/`.

A new notebook from a template is the template with the new title; the user's templates are
plain srcbook files, so they can be shared or edited by hand.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from groundwork.state import atomic_write_text

__all__ = ["Template", "TemplateList", "TemplateResult", "Templates"]

_BUILT_IN = ("script", "http-api", "data-steps")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Template(BaseModel):
    name: str = Field(description="New notebooks name it: POST /api/notebooks {template}.")
    title: str
    description: str = Field(description="The template's first paragraph.")
    language: str
    builtin: bool = Field(description="Shipped with peragus (false: saved by the user).")


class TemplateList(BaseModel):
    templates: list[Template]


class TemplateResult(BaseModel):
    template: Template


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64] or "template"


class Templates:
    def __init__(self, home: Path) -> None:
        self.folder = home / "templates"

    def _built_in(self, name: str) -> str:
        return (files(__name__) / f"{name}.src.md").read_text(encoding="utf-8")

    def text(self, name: str) -> str:
        if name in _BUILT_IN:
            return self._built_in(name)
        path = self.folder / f"{name}.src.md"
        if NAME.match(name) and path.is_file():
            return path.read_text(encoding="utf-8")
        raise ToolError(
            "PERAGUS_TEMPLATE_NOT_FOUND",
            f"There is no template {name!r}.",
            suggestions=["Templates: " + ", ".join(t.name for t in self.all())],
            exit_code=ExitCode.NOT_FOUND,
        )

    def _describe(self, name: str, text: str, *, builtin: bool) -> Template:
        from peragus.notebooks.model import MarkdownCell
        from peragus.notebooks.srcmd import decode

        notebook = decode(text, f"the template {name}")
        first = next((c.text for c in notebook.cells if isinstance(c, MarkdownCell)), "")
        return Template(
            name=name,
            title=notebook.title,
            description=first.split("\n\n")[0],
            language=notebook.language,
            builtin=builtin,
        )

    def all(self) -> list[Template]:
        found = [self._describe(n, self._built_in(n), builtin=True) for n in _BUILT_IN]
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("*.src.md")):
                name = path.name.removesuffix(".src.md")
                if NAME.match(name) and name not in _BUILT_IN:
                    try:
                        found.append(self._describe(name, path.read_text("utf-8"), builtin=False))
                    except ToolError:
                        continue  # a hand-edited file that no longer decodes is not offered
        return found

    def save(self, src_md: str, title: str) -> Template:
        """Saves a notebook's `.src.md` as a template named after ``title``."""
        from groundwork.paths import private_dir
        from peragus.notebooks.srcmd import decode, encode

        name = _slug(title)
        if name in _BUILT_IN:
            name = f"{name}-mine"
        notebook = decode(src_md, "the notebook").model_copy(update={"title": title})
        private_dir(self.folder)
        text = encode(notebook)
        atomic_write_text(self.folder / f"{name}.src.md", text)
        return self._describe(name, text, builtin=False)
