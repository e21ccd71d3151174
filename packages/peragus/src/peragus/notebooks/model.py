"""A notebook: title, an optional package.json, then markdown and code cells in order."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "CELL_NAME",
    "FILENAME",
    "CodeCell",
    "Language",
    "MarkdownCell",
    "Newline",
    "Notebook",
    "PackageJsonCell",
    "language_of",
]

FILENAME = re.compile(r"^[a-zA-Z0-9_-]+\.(js|cjs|mjs|ts|cts|mts)$")
"""A cell peragus can run: JavaScript or TypeScript."""
CELL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,127}$")
"""Any cell srcbook keeps (a `.sh` or `.json` cell too): a plain file name, safe in src/."""
Language = Literal["typescript", "javascript"]
Newline = Literal["\n", "\r\n"]


def language_of(filename: str) -> Language:
    return "typescript" if filename.rsplit(".", 1)[-1] in ("ts", "cts", "mts") else "javascript"


class MarkdownCell(BaseModel):
    type: Literal["markdown"] = "markdown"
    text: str


class PackageJsonCell(BaseModel):
    type: Literal["package.json"] = "package.json"
    source: str
    fence: str = Field(default="```json", description="The opening fence line as written.")


class CodeCell(BaseModel):
    type: Literal["code"] = "code"
    filename: str = Field(pattern=CELL_NAME.pattern)
    source: str
    fence: str | None = Field(
        default=None,
        description="The opening fence line as written (```` ````ts ````, ``~~~``); None for the"
        " canonical one. The encoder lengthens it when the source would close it.",
    )

    @property
    def language(self) -> Language:
        return language_of(self.filename)

    @property
    def runnable(self) -> bool:
        return FILENAME.match(self.filename) is not None


Cell = MarkdownCell | CodeCell


class Notebook(BaseModel):
    """``metadata`` is the header's JSON exactly as written, so encoding gives the same bytes.

    ``package_json_at`` is how many cells come before package.json (srcbook accepts markdown
    before it), and ``newline`` the file's line ending: both are kept so a file comes back as it
    was written.
    """

    title: str
    language: Language = "typescript"
    metadata: str = ""
    package_json: PackageJsonCell | None = None
    package_json_at: int = 0
    newline: Newline = "\n"
    cells: list[Cell] = Field(default_factory=list)

    @property
    def header(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.metadata) if self.metadata else {}
        return data

    @property
    def tsconfig(self) -> dict[str, Any] | None:
        value = self.header.get("tsconfig.json")
        return value if isinstance(value, dict) else None

    def with_tsconfig(self, tsconfig: dict[str, Any]) -> Notebook:
        header = {**self.header, "language": self.language, "tsconfig.json": tsconfig}
        return self.model_copy(update={"metadata": json.dumps(header, separators=(",", ":"))})

    def code_cells(self) -> list[CodeCell]:
        return [c for c in self.cells if isinstance(c, CodeCell)]

    def cell(self, filename: str) -> CodeCell | None:
        return next((c for c in self.code_cells() if c.filename == filename), None)

    def insert_cell(self, index: int, cell: Cell) -> None:
        """Cells move around package.json, which keeps its place among them."""
        if index < self.package_json_at:
            self.package_json_at += 1
        self.cells.insert(index, cell)

    def remove_cell(self, index: int) -> Cell:
        if index < self.package_json_at:
            self.package_json_at -= 1
        return self.cells.pop(index)

    def move_cell(self, index: int, to: int) -> None:
        self.insert_cell(to, self.remove_cell(index))
