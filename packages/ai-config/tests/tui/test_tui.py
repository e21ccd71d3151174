"""The TUI as a user drives it, headless (Textual's pilot): navigate the panes, resolve a
conflict an update left, create an agent and export it after its dry run; each change backed up
and audited as the CLI does it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    SelectionList,
    Static,
    TabbedContent,
    TextArea,
    Tree,
)

from ai_config.library.store import Library
from ai_config.safety import AuditLog
from ai_config.tui.app import AiConfigApp

REVIEWER = "roles/reviewer.md"
SIZE = (160, 60)


@pytest.fixture
def conflicted(library: Library, upstream: Any, edit: Any) -> Library:
    """An override an update left in conflict: "two" changed on both sides."""
    mine = library.edit(REVIEWER, open_editor=False)
    edit(mine, "two\n", "two (mine)\n")
    library.personal.commit_all("my edit")
    upstream.push({REVIEWER: "# Reviewer\n\none\ntwo (team)\nthree\nfour\nfive\n"})
    assert library.update().conflicts == [REVIEWER]
    return library


def leaves(tree: Tree[Any]) -> list[str]:
    found = []
    stack = [tree.root]
    while stack:
        node = stack.pop()
        stack += node.children
        if node.data is not None:
            found.append(f"{node.data[1]} {node.data[2]}")
    return sorted(found)


async def test_a_user_resolves_a_conflict_and_exports_an_agent(
    conflicted: Library, tmp_path: Path
) -> None:
    lib = conflicted
    project = tmp_path / "project"
    project.mkdir()
    app = AiConfigApp(lib.home)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one("#library-tree", Tree)
        assert f"{REVIEWER} conflict" in leaves(tree)
        assert f"{REVIEWER} overridden" in leaves(tree)  # the base's, under yours
        assert "tools/git.md clean" in leaves(tree)

        await pilot.press("2")
        assert app.query_one("#tabs", TabbedContent).active == "conflicts"
        table = app.query_one("#conflict-list", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == [REVIEWER, "update"]
        sides = {
            s: app.query_one(f"#side-{s}", TextArea).text for s in ("personal", "base", "other")
        }
        assert "two (mine)" in sides["personal"] and "two (team)" not in sides["personal"]
        assert "two (team)" in sides["other"]
        assert "\ntwo\n" in sides["base"]

        await pilot.press("m")
        editor = app.query_one("#merge-editor", TextArea)
        assert "<<<<<<<" in editor.text
        merged = "# Reviewer\n\none\ntwo (mine, team)\nthree\nfour\nfive\n"
        editor.load_text(merged)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (lib.personal_dir / REVIEWER).read_text() == merged
        assert lib.conflicts.load() == {}
        assert app.query_one("#conflict-list", DataTable).row_count == 0

        await pilot.press("3")
        await pilot.click("#agent-name")
        await pilot.press(*"helper")
        app.query_one("#agent-description", Input).value = "Reviews with the team's rules"
        app.query_one("#agent-resources", Input).value = "roles/*.md, tools/*"
        await pilot.pause()
        assert str(app.query_one("#agent-matches", Label).render()) == "2 library files match"
        app.query_one("#agent-resources", Input).value = "roles/*.md, nope/*"
        await pilot.pause()
        matches = str(app.query_one("#agent-matches", Label).render())
        assert matches == "1 library file matches; nothing matches nope/*"
        app.query_one("#agent-resources", Input).value = "roles/*.md"
        app.query_one("#agent-mcp", Input).value = "git"
        await pilot.click("#agent-save")
        await pilot.pause()
        saved = lib.personal_dir / "agents" / "helper.yaml"
        assert saved.is_file() and "roles/*.md" in saved.read_text()

        app.query_one("#targets", SelectionList).select("q-cli")
        app.query_one("#dest", Input).value = str(project)
        await pilot.pause()
        assert app.query_one("#export-run", Button).disabled  # no export before its dry run
        await pilot.click("#export-dry-run")
        await pilot.pause()
        exported = project / ".amazonq" / "cli-agents" / "helper.json"
        preview = app.query_one("#export-preview", TextArea).text
        assert f"would-write  {exported} (helper -> q-cli)" in preview
        assert '+  "name": "helper",' in preview
        assert not exported.exists()
        assert not app.query_one("#export-run", Button).disabled
        await pilot.click("#export-run")
        await pilot.pause()
        agent = json.loads(exported.read_text())
        assert agent["name"] == "helper" and "git" in agent["mcpServers"]
        assert agent["resources"] == [f"file://{lib.personal_dir / REVIEWER}"]
        stale = app.query_one("#stale-exports", Static)
        assert str(stale.render()) == "none"
        exported.write_text(exported.read_text().replace('"helper"', '"mine"'))
        await pilot.press("escape", "1", "3")  # another pane and back: the list is fresh
        assert str(stale.render()) == f"edited: {exported} (helper)"
        await pilot.press("q")

    changes = [(c.action, c.outcome) for c in app.return_value.changes]  # type: ignore[union-attr]
    assert changes == [
        ("library resolve --merged", "done"),
        ("agent save", "done"),
        ("agent export", "done"),
    ]
    resolve = AuditLog(lib.home / "audit.log").entries()[-3]
    [backup] = resolve.model_extra["backups"][:1]  # type: ignore[index]
    backed_up = lib.safety.backups.get(backup)
    assert Path(backed_up.source).name == "reviewer.md"
    kept = lib.safety.backups.root / backup / "data"
    assert "<<<<<<<" in kept.read_text()  # the file as the conflict left it


def leaf(tree: Tree[Any], layer: Path, rel: str) -> Any:
    stack = [tree.root]
    while stack:
        node = stack.pop()
        stack += node.children
        if node.data is not None and node.data[:2] == (layer, rel):
            return node
    raise AssertionError(f"no {rel} under {layer} in the tree")


async def test_the_library_tree_shows_upstream_s_moves_a_preview_and_an_override_s_diff(
    library: Library, upstream: Any, edit: Any
) -> None:
    edit(library.edit(REVIEWER, open_editor=False), "two\n", "two (mine)\n")
    edit(library.edit("tools/git.md", open_editor=False), "small commits", "tiny commits")
    library.personal.commit_all("my edits")
    upstream.push({"tools/git.md": "# Git\n\nsmall commits\n\nrebase first\n"})
    upstream.rename(REVIEWER, "roles/code-reviewer.md")
    library.status(fetch=True)

    app = AiConfigApp(library.home)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.query_one("#library-tree", Tree)
        assert {f"{REVIEWER} renamed-upstream", "tools/git.md base-changed"} <= set(leaves(tree))
        tree.move_cursor(leaf(tree, library.personal_dir, "tools/git.md"))
        await pilot.pause()
        preview = app.query_one("#library-preview", Static)
        shown = str(preview.render())
        assert shown.startswith("tools/git.md (base-changed)") and "tiny commits" in shown
        await pilot.press("d")
        await pilot.pause()
        diff = str(preview.render())
        assert "-small commits" in diff and "+tiny commits" in diff
        in_base = leaf(tree, library.base_dir, "tools/git.md")
        for folder in (in_base.parent, in_base.parent.parent):
            folder.expand()  # as a user opens the base's branch and its folder
        await pilot.pause()
        tree.move_cursor(in_base)
        await pilot.pause()
        shown = str(preview.render())  # a base file has no diff: its text, under your copy
        assert shown.startswith("tools/git.md (overridden)") and "small commits" in shown
