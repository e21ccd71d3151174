"""More of the TUI, headless: an update with its progress and outcomes, a sync tool's conflict
copy merged and a conflict settled in $EDITOR, an MCP server installed with its secret typed
into a masked field."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, ProgressBar, TextArea

from ai_config.library.store import Library
from ai_config.mcp.secrets import SecretStore
from ai_config.tui.app import AiConfigApp, Pane

REVIEWER = "roles/reviewer.md"
SIZE = (160, 60)


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_an_update_shows_its_progress_and_each_file_s_outcome(
    library: Library, upstream: Any, edit: Any
) -> None:
    mine = library.edit(REVIEWER, open_editor=False)
    edit(mine, "two\n", "two (mine)\n")
    edit(library.edit("tools/git.md", open_editor=False), "# Git\n", "# Git (mine)\n")
    library.personal.commit_all("my edits")
    upstream.push(
        {
            REVIEWER: "# Reviewer\n\none\ntwo (team)\nthree\nfour\nfive\n",
            "tools/git.md": "# Git\n\nsmall commits\n\nrebase first\n",
        }
    )
    app = AiConfigApp(library.home, Pane.UPDATE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#update-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert rows(app.query_one("#update-outcomes", DataTable)) == [
            ["base", "tools/git.md", "merged"],
            ["base", REVIEWER, "conflict"],
        ]
        bar = app.query_one("#update-progress", ProgressBar)
        assert (bar.progress, bar.total) == (2, 2)
        assert "1 merged, 1 conflicts" in str(app.query_one("#message").render())
    assert "rebase first" in (library.personal_dir / "tools/git.md").read_text()
    assert library.conflicts.load().keys() == {REVIEWER}


async def test_a_sync_copy_is_merged_and_a_conflict_is_settled_in_the_editor(
    library: Library, upstream: Any, edit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = library.edit(REVIEWER, open_editor=False)
    library.personal.commit_all("override")
    edit(mine, "one\n", "one (laptop)\n")
    other = mine.read_text().replace("one (laptop)\n", "one\n").replace("five", "five (desktop)")
    copy = mine.with_name("reviewer.sync-conflict-20261129-101500-ABCDEF7.md")
    copy.write_text(other)

    app = AiConfigApp(library.home, Pane.CONFLICTS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one("#conflict-list", DataTable)
        assert rows(table) == [[REVIEWER, f"roles/{copy.name}"]]
        assert "five (desktop)" in app.query_one("#side-other", TextArea).text
        await pilot.press("g")
        await pilot.pause()
        assert app.query_one("#conflict-list", DataTable).row_count == 0
    merged = mine.read_text()
    assert "one (laptop)" in merged and "five (desktop)" in merged and not copy.exists()

    edit(mine, "two\n", "two (mine)\n")
    library.personal.commit_all("mine")
    upstream.push({REVIEWER: "# Reviewer\n\none\ntwo (team)\nthree\nfour\nfive\n"})
    assert library.update().conflicts == [REVIEWER]
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "lines = [l for l in p.read_text().splitlines(True)"
        " if not l.startswith(('<<<<<<<', '=======', '>>>>>>>', '||||||| '))]\n"
        "p.write_text(''.join(l for l in lines if 'two (mine)' not in l))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = AiConfigApp(library.home, Pane.CONFLICTS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert rows(app.query_one("#conflict-list", DataTable)) == [[REVIEWER, "update"]]
        await pilot.press("e")
        await pilot.pause()
        assert app.query_one("#conflict-list", DataTable).row_count == 0
    assert "two (team)" in mine.read_text() and "<<<<<<<" not in mine.read_text()
    assert [c.action for c in app.session().changes] == ["library resolve --merged"]


async def test_installing_an_mcp_server_asks_for_its_secret_in_a_masked_field(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    monkeypatch.delenv("AI_CONFIG_MCP_REGISTRY", raising=False)
    app = AiConfigApp(library.home, Pane.MCP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("/", *"github")
        await pilot.pause()
        assert [r[0] for r in rows(app.query_one("#mcp-list", DataTable))] == ["github"]
        await pilot.click("#mcp-install")
        await pilot.pause()
        field = app.query_one("#secret-value", Input)
        assert field.password and app.focused is field
        await pilot.press(*"ghp-typed-secret", "enter")
        await pilot.pause()
        assert app.query_one("#secret-row").has_class("hidden")
        pasted = '{"tickets": {"command": "tickets-mcp", "env": {"KEY": "${secret:tickets.KEY}"}}}'
        app.query_one("#mcp-paste", TextArea).load_text(pasted)
        await pilot.click("#mcp-add")
        await pilot.pause()
        assert str(app.query_one("#secret-name").render()) == "Secret tickets.KEY:"
        await pilot.press(*"tk-typed", "enter")
        await pilot.pause()
    assert SecretStore(library.home).get("GITHUB_PERSONAL_ACCESS_TOKEN") == "ghp-typed-secret"
    assert SecretStore(library.home).get("tickets.KEY") == "tk-typed"
    audit = (library.home / "audit.log").read_text()
    assert '"mcp install"' in audit and '"mcp secret"' in audit
    assert "ghp-typed-secret" not in audit and "tk-typed" not in audit


async def test_editing_a_base_agent_makes_your_copy_forked_from_the_base(
    tmp_path: Path, upstream: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream.push({"agents/team.yaml": "name: team\ndescription: the team's\ntools: ['*']\n"})
    monkeypatch.setenv("EDITOR", "true")
    lib = Library(tmp_path / "home")
    lib.init(str(upstream.bare), "main")
    app = AiConfigApp(lib.home, Pane.AGENTS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert rows(app.query_one("#agent-list", DataTable))[0][:2] == ["team", "the team's"]
        await pilot.press("enter")
        assert app.query_one("#agent-name", Input).value == "team"
        app.query_one("#agent-description", Input).value = "mine now"
        await pilot.click("#agent-save")
        await pilot.pause()
    mine = lib.personal_dir / "agents" / "team.yaml"
    assert "description: mine now" in mine.read_text() and "tools:" in mine.read_text()
    assert lib.forks() == {"agents/team.yaml": lib.base.head()}
    assert [c.action for c in app.session().changes] == ["library edit", "agent save"]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
LATIN1 = "# Caf\xe9\n\nr\xe9sum\xe9 one\ntwo\nthree\n".encode("latin-1")


async def test_the_merge_editor_saves_what_the_cli_would_and_refuses_what_it_would(
    library: Library, upstream: Any
) -> None:
    dots = b"# Wait\n\none\x85\ntwo\nthree\n"  # 0x85: an ellipsis in Windows-1252
    upstream.push({"img/logo.png": PNG, "notes/cafe.md": LATIN1, "notes/dots.md": dots})
    library.update()
    for rel, data in (("img/logo.png", PNG + b"mine"), ("notes/cafe.md", b"two (mine \xe9)")):
        mine = library.edit(rel, open_editor=False)
        mine.write_bytes(data if rel.endswith(".png") else LATIN1.replace(b"two", data))
    library.edit("notes/dots.md", open_editor=False).write_bytes(dots.replace(b"two", b"2 (me)"))
    library.personal.commit_all("mine")
    upstream.push(
        {
            "img/logo.png": PNG + b"team",
            "notes/cafe.md": LATIN1.replace(b"two", b"two (\xe9quipe)"),
            "notes/dots.md": dots.replace(b"two", b"2 (team)"),
        }
    )
    assert library.update().conflicts == ["img/logo.png", "notes/cafe.md", "notes/dots.md"]
    left_in_dots = (library.personal_dir / "notes/dots.md").read_bytes()
    cafe = library.personal_dir / "notes/cafe.md"
    logo = library.personal_dir / "img/logo.png"
    left_by_update = cafe.read_bytes()

    app = AiConfigApp(library.home, Pane.CONFLICTS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one("#conflict-list", DataTable)
        assert [r[0] for r in rows(table)] == ["img/logo.png", "notes/cafe.md", "notes/dots.md"]
        await pilot.press("m")
        assert "binary file, so it has no text to merge" in str(app.query_one("#message").render())
        assert app.query_one("#merge-editor").has_class("hidden")
        table.move_cursor(row=2)
        await pilot.pause()
        await pilot.press("m")
        assert "merge it in $EDITOR with e" in str(app.query_one("#message").render())
        assert app.query_one("#merge-editor").has_class("hidden")
        await pilot.press("ctrl+s")  # nothing open to save
        await pilot.pause()
        assert (library.personal_dir / "notes/dots.md").read_bytes() == left_in_dots

        table.move_cursor(row=1)
        await pilot.pause()
        assert "two (\xe9quipe)" in app.query_one("#side-other", TextArea).text
        await pilot.press("m")
        editor = app.query_one("#merge-editor", TextArea)
        assert "r\xe9sum\xe9 one" in editor.text and "<<<<<<<" in editor.text
        await pilot.press("ctrl+s")  # the markers are still there, as `resolve --merged` refuses
        await pilot.pause()
        message = str(app.query_one("#message").render())
        assert "still has conflict markers" in message
        assert cafe.read_bytes() == left_by_update
        assert not editor.has_class("hidden")

        editor.load_text("# Caf\xe9\n\nr\xe9sum\xe9 one\ntwo (mine \xe9, \xe9quipe)\nthree\n")
        table.move_cursor(row=0)  # the highlight moved: the merge still goes to cafe.md
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [r[0] for r in rows(app.query_one("#conflict-list", DataTable))] == [
            "img/logo.png",
            "notes/dots.md",
        ]
        assert logo.read_bytes() == PNG + b"mine"
        app.query_one("#conflict-list", DataTable).move_cursor(row=0)
        await pilot.press("t")  # the binary file: upstream's, whole
        await pilot.pause()
        assert rows(app.query_one("#conflict-list", DataTable)) == [["notes/dots.md", "update"]]
    assert cafe.read_bytes() == LATIN1.replace(b"two", b"two (mine \xe9, \xe9quipe)")
    assert logo.read_bytes() == PNG + b"team"
    assert not (library.personal_dir / "img" / "logo.upstream.png").exists()
    assert library.conflicts.load().keys() == {"notes/dots.md"}
    assert [c.action for c in app.session().changes] == [
        "library resolve --merged",
        "library resolve --theirs",
    ]
