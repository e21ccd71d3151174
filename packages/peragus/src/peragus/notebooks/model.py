"""A notebook: title, an optional package.json, then markdown and code cells in order."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "FILENAME",
    "CodeCell",
    "Language",
    "MarkdownCell",
    "Notebook",
    "PackageJsonCell",
    "language_of",
]

FILENAME = re.compile(r"^[a-zA-Z0-9_-]+\.(js|cjs|mjs|ts|cts|mts)$")
Language = Literal["typescript", "javascript"]


def language_of(filename: str) -> Language:
    return "typescript" if filename.rsplit(".", 1)[-1] in ("ts", "cts", "mts") else "javascript"


class MarkdownCell(BaseModel):
    type: Literal["markdown"] = "markdown"
    text: str


class PackageJsonCell(BaseModel):
    type: Literal["package.json"] = "package.json"
    source: str


class CodeCell(BaseModel):
    type: Literal["code"] = "code"
    filename: str = Field(pattern=FILENAME.pattern)
    source: str

    @property
    def language(self) -> Language:
        return language_of(self.filename)


Cell = MarkdownCell | CodeCell


class Notebook(BaseModel):
    """``metadata`` is the header's JSON exactly as written, so encoding gives the same bytes."""

    title: str
    language: Language = "typescript"
    metadata: str = ""
    package_json: PackageJsonCell | None = None
    cells: list[Cell] = Field(default_factory=list)

    @property
    def header(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.metadata) if self.metadata else {}
        return data

    @property
    def tsconfig(self) -> dict[str, Any] | None:
        value = self.header.get("tsconfig.json")
        return value if isinstance(value, dict) else None

    def code_cells(self) -> list[CodeCell]:
        return [c for c in self.cells if isinstance(c, CodeCell)]

    def cell(self, filename: str) -> CodeCell | None:
        return next((c for c in self.code_cells() if c.filename == filename), None)
