"""The library: each layer (base, added sources, personal) as a tree of files with their state,
a preview of the highlighted file, and (d) the diff of an override against its base."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ai_config.library.store import Library
from ai_config.tui.base import attempt, home_of

__all__ = ["LibraryPane"]

_STYLE = {
    "conflict": "bold red",
    "base-changed": "yellow",
    "renamed-upstream": "cyan",
    "removed-upstream": "yellow",
    "overridden": "dim",
}


class LibraryPane(Horizontal):
    BINDINGS = [
        Binding("d", "toggle_diff", "Diff / preview"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="library-pane")
        self.show_diff = False
        self.highlighted: tuple[Path, str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Tree("Library", id="library-tree")
        with VerticalScroll(id="library-preview-box"):
            yield Static(id="library-preview")

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        tree: Tree[tuple[Path, str, str]] = self.query_one("#library-tree", Tree)
        tree.clear()
        lib = Library(home_of(self.app))
        if not lib.initialised:
            tree.root.set_label("No library yet: run ai-config init")
            return
        attempt(self.app, lambda: self._fill(tree, lib))

    def _fill(self, tree: Tree[tuple[Path, str, str]], lib: Library) -> None:
        scans = lib.scans()
        status = lib.status(scans=scans)
        effective = lib.effective(scans)
        states = {o.path: o.state for o in status.overrides}
        names = {lib.base_dir: "base", lib.personal_dir: "personal"}
        tree.root.set_label(f"Library at {status.base_revision[:8]}")
        tree.root.expand()
        for layer, scan in scans.items():
            mine = layer == lib.personal_dir
            shown = sorted(rel for rel in scan.files if not mine or rel in states)
            branch = tree.root.add(f"{names.get(layer, layer.name)} ({len(shown)})", expand=mine)
            folders: dict[str, TreeNode[tuple[Path, str, str]]] = {}
            for rel in shown:
                state: str
                if mine:
                    state = states[rel]
                elif effective.where.get(rel, ("", layer))[1] != layer:
                    state = "overridden"
                else:
                    state = "clean"
                parent = branch
                parts = rel.split("/")
                for depth in range(1, len(parts)):
                    key = "/".join(parts[:depth])
                    if key not in folders:
                        folders[key] = parent.add(parts[depth - 1], expand=mine)
                    parent = folders[key]
                label = Text(parts[-1])
                label.append(f"  {state}", style=_STYLE.get(state, "green"))
                parent.add_leaf(label, data=(layer, rel, state))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[tuple[Path, str, str]]) -> None:
        self.highlighted = event.node.data
        self._show()

    def action_toggle_diff(self) -> None:
        self.show_diff = not self.show_diff
        self._show()

    def _show(self) -> None:
        preview = self.query_one("#library-preview", Static)
        if self.highlighted is None:
            preview.update("")
            return
        layer, rel, state = self.highlighted
        lib = Library(home_of(self.app))
        if self.show_diff and layer == lib.personal_dir:
            text = attempt(self.app, lambda: lib.diff(rel)) or "(no difference from the base)"
            preview.update(Text(text))
            return
        data = (layer / rel).read_bytes()
        if b"\0" in data[:8000]:
            preview.update(Text(f"{rel}: a binary file ({len(data)} bytes)"))
            return
        heading = Text(f"{rel} ({state})\n\n", style="bold")
        preview.update(heading + Text(data.decode("utf-8", "replace")))
