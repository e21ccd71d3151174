"""Conflicts: what an update or a sync tool left, the personal, base and other side beside one
another, and keys to settle each: take one side (o, t), edit the merge here (m, then ctrl+s),
or in $EDITOR (e); a sync tool's conflict copy is merged three-way first (g). Settling goes
through `library resolve`'s function, so it writes, backs up and audits as the CLI does."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Literal

from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, TextArea

from ai_config.library.models import Side
from ai_config.library.store import Library
from ai_config.sync.merge import ConflictCopy, common_version, find_copies, merge_copies
from ai_config.sync.status import sync_status
from ai_config.tui.base import attempt, home_of, say

__all__ = ["ConflictsPane"]


@dataclass(frozen=True)
class _Item:
    path: str
    kind: Literal["update", "sync", "markers", "sync copy"]
    copy: ConflictCopy | None = None


def _text(data: bytes | None) -> str:
    if data is None:
        return "(not kept)"
    if b"\0" in data[:8000]:
        return f"(a binary file, {len(data)} bytes)"
    return data.decode("utf-8", "replace")


class ConflictsPane(Vertical):
    BINDINGS = [
        Binding("o", "take('ours')", "Take personal"),
        Binding("t", "take('theirs')", "Take other side"),
        Binding("m", "edit_merge", "Edit merge"),
        Binding("ctrl+s", "save_merge", "Save merge"),
        Binding("e", "editor", "$EDITOR"),
        Binding("g", "merge_copy", "Merge sync copy"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="conflicts-pane")
        self.items: list[_Item] = []

    def compose(self) -> ComposeResult:
        yield DataTable(id="conflict-list", cursor_type="row")
        with Horizontal(id="conflict-sides"):
            for side, title in (("personal", "personal"), ("base", "base"), ("other", "other")):
                with Vertical(classes="side"):
                    yield Label(title, id=f"side-{side}-title")
                    yield TextArea(id=f"side-{side}", read_only=True)
        yield TextArea(id="merge-editor", classes="hidden")

    def on_mount(self) -> None:
        table = self.query_one("#conflict-list", DataTable)
        table.add_columns("path", "from")
        self.action_refresh()

    def action_refresh(self) -> None:
        lib = Library(home_of(self.app))
        table = self.query_one("#conflict-list", DataTable)
        table.clear()
        self.items = []
        if not lib.initialised:
            return
        records = lib.conflicts.load()
        status = attempt(self.app, lambda: sync_status(lib))
        marked = status.conflicts if status is not None else []
        for rel in sorted(set(records) | set(marked)):
            record = records.get(rel)
            kind: Literal["update", "sync", "markers"] = (
                "markers" if record is None else "sync" if not record.theirs else "update"
            )
            self.items.append(_Item(rel, kind))
        self.items += [_Item(c.original, "sync copy", c) for c in find_copies(lib)]
        for item in self.items:
            where = item.copy.path if item.copy else item.kind
            table.add_row(item.path, where)
        self._show(0 if self.items else None)

    def _current(self) -> _Item | None:
        row = self.query_one("#conflict-list", DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, row: int | None) -> None:
        sides = {s: self.query_one(f"#side-{s}", TextArea) for s in ("personal", "base", "other")}
        if row is None or row >= len(self.items):
            for area in sides.values():
                area.load_text("")
            return
        item = self.items[row]
        lib = Library(home_of(self.app))
        mine = lib.personal_dir / item.path
        texts: tuple[bytes | None, bytes | None, bytes | None]
        if item.copy is not None:
            ours, theirs = mine.read_bytes(), (lib.personal_dir / item.copy.path).read_bytes()
            texts = (ours, common_version(lib, item.path, ours, theirs), theirs)
            other = f"{item.copy.tool} conflict copy"
        else:
            record = lib.conflicts.load().get(item.path)
            if record is None:
                texts = (mine.read_bytes(), None, None)
            else:
                other_side = (
                    lib.personal.blob_by_id(record.theirs_blob)
                    if record.theirs_blob
                    else lib.base.blob(record.theirs, item.path)
                )
                base = lib.personal.blob_by_id(record.base_blob) if record.base_blob else None
                texts = (lib.personal.blob_by_id(record.ours), base, other_side)
            other = "upstream" if item.kind == "update" else "other machine"
        self.query_one("#side-other-title", Label).update(other)
        for area, data in zip(sides.values(), texts, strict=True):
            area.load_text(_text(data))

    def _settle(self, side: Side, merged: bytes | None = None) -> None:
        item = self._current()
        if item is None or item.copy is not None:
            say(self.app, "Pick a conflict first (a sync copy is merged with g).", error=True)
            return
        lib = Library(home_of(self.app))
        done = attempt(self.app, lambda: lib.settle(item.path, side, merged=merged))
        if done is not None:
            say(self.app, f"Resolved {item.path} ({side}). Undo: ai-config backup list")
            self.query_one("#merge-editor", TextArea).add_class("hidden")
            self.action_refresh()

    def action_take(self, side: Side) -> None:
        self._settle(side)

    def action_edit_merge(self) -> None:
        item = self._current()
        if item is None or item.copy is not None:
            return
        editor = self.query_one("#merge-editor", TextArea)
        lib = Library(home_of(self.app))
        editor.load_text((lib.personal_dir / item.path).read_text("utf-8", "replace"))
        editor.remove_class("hidden")
        editor.focus()
        say(self.app, f"Edit the merge of {item.path}, then ctrl+s to save it.")

    def action_save_merge(self) -> None:
        editor = self.query_one("#merge-editor", TextArea)
        if editor.has_class("hidden"):
            return
        self._settle("merged", editor.text.encode("utf-8"))

    def action_editor(self) -> None:
        item = self._current()
        if item is None or item.copy is not None:
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            say(self.app, "Set $EDITOR (or $VISUAL), or edit here with m.", error=True)
            return
        target = Library(home_of(self.app)).personal_dir / item.path
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(command), str(target)], check=False)
        except SuspendNotSupported:  # no terminal to hand over (a headless run)
            subprocess.run([*shlex.split(command), str(target)], check=False)
        self._settle("merged")

    def action_merge_copy(self) -> None:
        item = self._current()
        if item is None or item.copy is None:
            return
        copy = item.copy
        merged = attempt(self.app, lambda: merge_copies(Library(home_of(self.app)), copy.path))
        if merged:
            say(self.app, f"{merged[0].outcome}: {copy.path} into {copy.original}")
        self.action_refresh()
