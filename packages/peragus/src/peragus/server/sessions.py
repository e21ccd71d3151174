"""Open notebooks: the cells a browser edits, with the ids srcbook's protocol addresses them by.

A session owns one notebook folder. Every edit is written to the folder at once (atomically, file
by file), so a reload or a crash never loses an accepted edit; the client debounces keystrokes.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundwork.errors import ExitCode, ToolError
from peragus.execution.runner import CellRun
from peragus.notebooks.folder import read_folder, tsconfig_text, write_folder
from peragus.notebooks.model import FILENAME, CodeCell, MarkdownCell, Notebook, PackageJsonCell
from peragus.notebooks.srcmd import canonical_fence
from peragus.notebooks.store import NotebookStore
from peragus.server.schemas import (
    CellView,
    CodeCellView,
    MarkdownCellView,
    PackageJsonCellView,
    SessionView,
    TitleCellView,
)

__all__ = ["Session", "Sessions"]

TITLE_ID = "title"
PACKAGE_ID = "package.json"


def _new_id() -> str:
    return "c" + secrets.token_hex(6)


def _renamed_fence(cell: CodeCell, filename: str) -> str | None:
    """A longer or tilde fence stays; the info string follows the new name's language."""
    if cell.fence is None:
        return None
    marker = re.match(r"`+|~+", cell.fence)
    return (marker.group(0) if marker else "```") + canonical_fence(filename).lstrip("`")


def _not_found(what: str, name: str) -> ToolError:
    return ToolError(
        "PERAGUS_CELL_NOT_FOUND",
        f"There is no {what} {name!r} in this session.",
        suggestions=["Reload the page to get the session's current cells."],
        exit_code=ExitCode.NOT_FOUND,
    )


@dataclass
class Session:
    id: str
    folder: Path
    notebook: Notebook
    ids: list[str]
    runs: dict[str, CellRun] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def open(cls, name: str, folder: Path) -> Session:
        notebook = read_folder(folder)
        return cls(
            id=name, folder=folder, notebook=notebook, ids=[_new_id() for _ in notebook.cells]
        )

    def view(self) -> SessionView:
        with self.lock:
            return SessionView(
                id=self.id,
                title=self.notebook.title,
                language=self.notebook.language,
                tsconfig=tsconfig_text(self.notebook),
                cells=[self.cell_view(cell_id) for cell_id in self.all_ids()],
            )

    def all_ids(self) -> list[str]:
        fixed = [TITLE_ID] + ([PACKAGE_ID] if self.notebook.package_json else [])
        return fixed + self.ids

    def cell_view(self, cell_id: str) -> CellView:
        if cell_id == TITLE_ID:
            return TitleCellView(id=TITLE_ID, text=self.notebook.title)
        if cell_id == PACKAGE_ID and self.notebook.package_json:
            return PackageJsonCellView(id=PACKAGE_ID, source=self.notebook.package_json.source)
        cell = self.notebook.cells[self._index(cell_id)]
        if isinstance(cell, MarkdownCell):
            return MarkdownCellView(id=cell_id, text=cell.text)
        return CodeCellView(
            id=cell_id,
            filename=cell.filename,
            language=cell.language,
            source=cell.source,
            status="running" if cell_id in self.runs else "idle",
            runnable=cell.runnable,
        )

    def cell_json(self, cell_id: str) -> dict[str, Any]:
        """The cell as WebSocket payloads carry it."""
        return self.cell_view(cell_id).model_dump()

    def code_cell(self, cell_id: str) -> CodeCell:
        cell = self.notebook.cells[self._index(cell_id)]
        if not isinstance(cell, CodeCell):
            raise _not_found("code cell", cell_id)
        return cell

    def id_of(self, filename: str) -> str | None:
        """The id of the code cell with this file name."""
        with self.lock:
            for cell_id, cell in zip(self.ids, self.notebook.cells, strict=True):
                if isinstance(cell, CodeCell) and cell.filename == filename:
                    return cell_id
        return None

    def move(self, cell_id: str, index: int) -> None:
        """To ``index`` among the cells after the title and package.json, as the page shows them."""
        with self.lock:
            at = self._index(cell_id)
            to = min(index, len(self.ids) - 1)
            self.notebook.move_cell(at, to)
            self.ids.insert(to, self.ids.pop(at))
            self._save()

    def set_tsconfig(self, tsconfig: dict[str, Any]) -> None:
        with self.lock:
            self.notebook = self.notebook.with_tsconfig(tsconfig)
            self._save()

    def _index(self, cell_id: str) -> int:
        try:
            return self.ids.index(cell_id)
        except ValueError:
            raise _not_found("cell", cell_id) from None

    def _save(self) -> None:
        write_folder(self.notebook, self.folder)

    def update(self, cell_id: str, updates: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            if cell_id == TITLE_ID:
                title = updates.get("text", self.notebook.title).strip()
                self.notebook = self.notebook.model_copy(update={"title": title or "Untitled"})
            elif cell_id == PACKAGE_ID:
                source = updates.get("source", "")
                current = self.notebook.package_json or PackageJsonCell(source="")
                self.notebook = self.notebook.model_copy(
                    update={"package_json": current.model_copy(update={"source": source})}
                )
            else:
                index = self._index(cell_id)
                cell = self.notebook.cells[index]
                if isinstance(cell, MarkdownCell):
                    self.notebook.cells[index] = MarkdownCell(text=updates.get("text", cell.text))
                else:
                    source = updates.get("source", cell.source)
                    self.notebook.cells[index] = cell.model_copy(update={"source": source})
            self._save()
            return self.cell_json(cell_id)

    def rename(self, cell_id: str, filename: str) -> dict[str, Any]:
        with self.lock:
            cell = self.code_cell(cell_id)
            if filename != cell.filename and self.notebook.cell(filename) is not None:
                raise ToolError(
                    "PERAGUS_CELL_NAME_TAKEN",
                    f"Another cell is already named {filename}.",
                    suggestions=["Choose a file name no other cell uses."],
                    exit_code=ExitCode.CONFLICT,
                )
            index = self._index(cell_id)
            self.notebook.cells[index] = CodeCell(
                filename=filename, source=cell.source, fence=_renamed_fence(cell, filename)
            )
            self._save()
            return self.cell_json(cell_id)

    def delete(self, cell_id: str) -> None:
        with self.lock:
            index = self._index(cell_id)
            self.notebook.remove_cell(index)
            del self.ids[index]
            self._save()

    def create(self, index: int, cell: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            index = min(index, len(self.notebook.cells))
            if cell.get("type") == "markdown":
                new: MarkdownCell | CodeCell = MarkdownCell(text=cell.get("text", ""))
            else:
                filename = cell.get("filename") or self._free_filename()
                if not FILENAME.match(filename) or self.notebook.cell(filename) is not None:
                    raise ToolError(
                        "PERAGUS_CELL_NAME_INVALID",
                        f"{filename!r} is not a free cell file name.",
                        suggestions=["Use letters, digits, - and _, then .ts, .js or .mjs."],
                        exit_code=ExitCode.USAGE,
                    )
                new = CodeCell(filename=filename, source=cell.get("source", ""))
            self.notebook.insert_cell(index, new)
            cell_id = _new_id()
            self.ids.insert(index, cell_id)
            self._save()
            return self.cell_json(cell_id)

    def replace_cells(self, index: int, cells: list[MarkdownCell | CodeCell]) -> list[str]:
        """Insert cells (from the AI), renaming files that clash with existing cells."""
        with self.lock:
            created = []
            for offset, cell in enumerate(cells):
                if isinstance(cell, CodeCell) and self.notebook.cell(cell.filename) is not None:
                    cell = CodeCell(filename=self._free_filename(cell.filename), source=cell.source)
                at = min(index + offset, len(self.notebook.cells))
                self.notebook.insert_cell(at, cell)
                cell_id = _new_id()
                self.ids.insert(at, cell_id)
                created.append(cell_id)
            self._save()
            return created

    def _free_filename(self, wanted: str | None = None) -> str:
        extension = "ts" if self.notebook.language == "typescript" else "mjs"
        stem, _, ext = (wanted or f"cell.{extension}").rpartition(".")
        n = 1
        while True:
            name = f"{stem}{n if n > 1 or wanted is None else ''}.{ext}"
            if self.notebook.cell(name) is None:
                return name
            n += 1


class Sessions:
    """The open sessions, keyed by notebook name (one session per notebook)."""

    def __init__(self, store: NotebookStore) -> None:
        self.store = store
        self._open: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, name: str) -> Session:
        with self._lock:
            session = self._open.get(name)
            if session is None:
                session = self._open[name] = Session.open(name, self.store.folder(name))
            return session

    def get(self, session_id: str) -> Session:
        session = self._open.get(session_id)
        if session is None:
            raise ToolError(
                "PERAGUS_SESSION_NOT_FOUND",
                f"There is no open session {session_id!r}.",
                suggestions=["Open the notebook again (POST /api/sessions) and subscribe to it."],
                exit_code=ExitCode.NOT_FOUND,
            )
        return session

    def close(self, name: str) -> None:
        with self._lock:
            session = self._open.pop(name, None)
        if session is not None:
            for run in list(session.runs.values()):
                run.stop()

    def all(self) -> list[Session]:
        return list(self._open.values())

    def flush(self) -> None:
        """Returns once no save is under way: each edit is written while its session's lock is
        held, so taking every lock in turn waits for the writes in progress.
        """
        for session in self.all():
            with session.lock:
                pass
