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


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]


def _encoding(data: bytes) -> str:
    """UTF-8 when the bytes are; else Latin-1, which maps every byte to one character and back,
    so a file in another 8-bit encoding is saved with exactly the bytes nobody edited."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _text(data: bytes | None) -> str:
    if data is None:
        return "(not kept)"
    if _is_binary(data):
        return f"(a binary file, {len(data)} bytes)"
    return data.decode(_encoding(data))


@dataclass(frozen=True)
class _Editing:
    """The file the merge editor holds, and the encoding its text is saved back in."""

    path: str
    encoding: str


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
        self.editing: _Editing | None = None

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

    def _settle(self, path: str, side: Side, merged: bytes | None = None) -> None:
        lib = Library(home_of(self.app))
        done = attempt(self.app, lambda: lib.settle(path, side, merged=merged))
        if done is not None:
            say(self.app, f"Resolved {path} ({side}). Undo: ai-config backup list")
            if self.editing is not None and self.editing.path == path:
                self.editing = None
                self.query_one("#merge-editor", TextArea).add_class("hidden")
            self.action_refresh()

    def _picked(self) -> _Item | None:
        item = self._current()
        if item is None or item.copy is not None:
            say(self.app, "Pick a conflict first (a sync copy is merged with g).", error=True)
            return None
        return item

    def action_take(self, side: Side) -> None:
        item = self._picked()
        if item is not None:
            self._settle(item.path, side)

    def action_edit_merge(self) -> None:
        item = self._picked()
        if item is None:
            return
        data = (Library(home_of(self.app)).personal_dir / item.path).read_bytes()
        if _is_binary(data):
            say(
                self.app,
                f"{item.path} is a binary file, so it has no text to merge: take a side with o"
                " or t, or edit it with its own program and press e.",
                error=True,
            )
            return
        encoding = _encoding(data)
        text = data.decode(encoding)
        editor = self.query_one("#merge-editor", TextArea)
        editor.load_text(text)
        if editor.text != text:
            # The editor keeps one kind of line break and reads a form feed or a Latin-1 0x85
            # as one: saving would change bytes nobody touched.
            editor.load_text("")
            say(
                self.app,
                f"{item.path} has mixed line breaks or characters the editor here would turn"
                " into line breaks: merge it in $EDITOR with e.",
                error=True,
            )
            return
        self.editing = _Editing(item.path, encoding)
        editor.remove_class("hidden")
        editor.focus()
        say(self.app, f"Edit the merge of {item.path}, then ctrl+s to save it.")

    def action_save_merge(self) -> None:
        """Saves into the file the editor was opened on, whichever row is highlighted now."""
        editing = self.editing
        if editing is None:
            return
        text = self.query_one("#merge-editor", TextArea).text
        try:
            merged = text.encode(editing.encoding)
        except UnicodeEncodeError as exc:
            say(
                self.app,
                f"{editing.path} is saved as {editing.encoding}, which has no"
                f" {text[exc.start]!r}: type it another way, or merge in $EDITOR with e.",
                error=True,
            )
            return
        self._settle(editing.path, "merged", merged)

    def action_editor(self) -> None:
        item = self._picked()
        if item is None:
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
        self._settle(item.path, "merged")

    def action_merge_copy(self) -> None:
        item = self._current()
        if item is None or item.copy is None:
            return
        copy = item.copy
        merged = attempt(self.app, lambda: merge_copies(Library(home_of(self.app)), copy.path))
        if merged:
            say(self.app, f"{merged[0].outcome}: {copy.path} into {copy.original}")
        self.action_refresh()
