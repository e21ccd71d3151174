"""Update: `library update` in a worker thread, with a progress bar as overrides merge and each
file's outcome listed (merged, conflict, removed upstream, moved)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, ProgressBar

from ai_config.library.models import SourceUpdate
from ai_config.library.sources import update_all
from ai_config.library.store import Library
from ai_config.tui.base import home_of, say

__all__ = ["UpdatePane", "outcomes"]


def outcomes(update: SourceUpdate) -> list[tuple[str, str, str]]:
    """Each file the update touched in the personal library: source, path, what happened."""
    rows = [(update.source, rel, "merged") for rel in update.merged]
    rows += [(update.source, rel, "conflict") for rel in update.conflicts]
    rows += [(update.source, rel, "removed upstream") for rel in update.removed_upstream]
    rows += [(update.source, f"{r.from_path} -> {r.to}", "moved") for r in update.renamed]
    if not rows:
        moved = "up to date" if update.old == update.new else f"{len(update.changed)} changed"
        rows.append((update.source, f"{update.old[:8]} -> {update.new[:8]}", moved))
    return rows


class UpdatePane(Vertical):
    def __init__(self) -> None:
        super().__init__(id="update-pane")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button("Update", id="update-run", variant="primary")
            yield Button("Dry run", id="update-dry-run")
        yield ProgressBar(id="update-progress", show_eta=False)
        yield DataTable(id="update-outcomes", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#update-outcomes", DataTable).add_columns("source", "file", "outcome")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("update-run", "update-dry-run"):
            for button in self.query(Button):
                button.disabled = True
            self.query_one("#update-outcomes", DataTable).clear()
            self.query_one("#update-progress", ProgressBar).update(total=None, progress=0)
            dry_run = event.button.id == "update-dry-run"
            self.run_worker(lambda: self._update(dry_run), thread=True, exclusive=True)

    def _progress(self, done: int, total: int, path: str) -> None:
        bar = self.query_one("#update-progress", ProgressBar)
        self.app.call_from_thread(bar.update, total=total, progress=done)

    def _update(self, dry_run: bool) -> None:
        from groundwork.errors import ToolError

        try:
            updates, notice = update_all(
                Library(home_of(self.app)), dry_run=dry_run, frozen=False, progress=self._progress
            )
        except ToolError as exc:
            hint = f" {exc.suggestions[0]}" if exc.suggestions else ""
            self.app.call_from_thread(self._failed, exc.message + hint)
            return
        self.app.call_from_thread(self._show, updates, notice, dry_run)

    def _failed(self, message: str) -> None:
        for button in self.query(Button):
            button.disabled = False
        say(self.app, message, error=True)

    def _show(self, updates: list[SourceUpdate], notice: str | None, dry_run: bool) -> None:
        table = self.query_one("#update-outcomes", DataTable)
        for update in updates:
            for row in outcomes(update):
                table.add_row(*row)
        bar = self.query_one("#update-progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        for button in self.query(Button):
            button.disabled = False
        conflicts = sum(len(u.conflicts) for u in updates)
        verb = "Dry run" if dry_run else "Update"
        say(
            self.app,
            notice
            or f"{verb} done: {sum(len(u.merged) for u in updates)} merged, {conflicts} conflicts"
            + (" (settle them in Conflicts)" if conflicts else ""),
        )
