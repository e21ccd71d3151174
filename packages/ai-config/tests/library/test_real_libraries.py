"""Libraries as teams have them: binary and Latin-1 files, CRLF, renames, conflicts settled by
`resolve`, overrides dropped by `forget`. Real git, a bare repository as upstream."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_config.library.store import Library
from groundwork.errors import ToolError

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
LATIN1 = "# Caf\xe9\n\nr\xe9sum\xe9 one\ntwo\nthree\nfour\nfive\n".encode("latin-1")
CRLF = b"# Windows\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\nfive\r\n"


def states(lib: Library) -> dict[str, str]:
    return {o.path: o.state for o in lib.status().overrides}


def test_a_binary_override_changed_on_both_sides_is_a_conflict_with_upstream_kept_beside(
    library: Library, upstream: Any
) -> None:
    upstream.push({"img/logo.png": PNG})
    library.update()
    mine = library.edit("img/logo.png", open_editor=False)
    mine.write_bytes(PNG + b"mine")
    upstream.push({"img/logo.png": PNG + b"team"})
    library.status(fetch=True)
    assert "Binary files a/img/logo.png and b/img/logo.png differ" in library.diff(upstream=True)
    assert "Binary files" in library.diff("img/logo.png")

    preview = library.update(dry_run=True)
    assert preview.conflicts == ["img/logo.png"]
    assert mine.read_bytes() == PNG + b"mine"

    report = library.update()
    assert report.conflicts == ["img/logo.png"] and report.merged == []
    assert mine.read_bytes() == PNG + b"mine"
    beside = library.personal_dir / "img" / "logo.upstream.png"
    assert beside.read_bytes() == PNG + b"team"
    [override] = library.status().overrides
    assert (override.state, override.upstream_copy) == ("conflict", "img/logo.upstream.png")
    assert "img/logo.upstream.png" not in [f.path for f in library.files()]

    library.settle("img/logo.png", "theirs")
    assert mine.read_bytes() == PNG + b"team"
    assert not beside.exists()
    assert states(library) == {"img/logo.png": "clean"}
    assert library.personal.is_clean()


def test_a_binary_override_the_user_did_not_change_takes_upstreams(
    library: Library, upstream: Any
) -> None:
    upstream.push({"img/logo.png": PNG})
    library.update()
    mine = library.edit("img/logo.png", open_editor=False)
    upstream.push({"img/logo.png": PNG + b"team"})
    assert library.update().merged == ["img/logo.png"]
    assert mine.read_bytes() == PNG + b"team"


def test_latin1_files_merge_and_diff_without_an_internal_error(
    library: Library, upstream: Any
) -> None:
    upstream.push({"notes/cafe.md": LATIN1})
    library.update()
    mine = library.edit("notes/cafe.md", open_editor=False)
    mine.write_bytes(mine.read_bytes().replace(b"two", b"two (mine \xe9)"))
    upstream.push({"notes/cafe.md": LATIN1.replace(b"five", b"five (\xe9quipe)")})
    library.status(fetch=True)
    assert "+five (\ufffdquipe)" in library.diff(upstream=True)
    assert library.update(dry_run=True).merged == ["notes/cafe.md"]
    assert library.update().merged == ["notes/cafe.md"]
    merged = mine.read_bytes()
    assert b"two (mine \xe9)" in merged and b"five (\xe9quipe)" in merged
    assert merged.startswith(b"# Caf\xe9\n")
    assert "cafe.md" in library.diff("notes/cafe.md")


def test_crlf_edits_on_different_lines_merge_and_keep_crlf(library: Library, upstream: Any) -> None:
    upstream.push({"win/guide.md": CRLF})
    library.update()
    mine = library.edit("win/guide.md", open_editor=False)
    mine.write_bytes(CRLF.replace(b"one", b"one (mine)"))
    upstream.push({"win/guide.md": CRLF.replace(b"five", b"five (team)")})
    assert library.update().merged == ["win/guide.md"]
    assert mine.read_bytes() == CRLF.replace(b"one", b"one (mine)").replace(b"five", b"five (team)")


def test_crlf_edits_on_the_same_line_conflict_on_that_line_only(
    library: Library, upstream: Any
) -> None:
    upstream.push({"win/guide.md": CRLF})
    library.update()
    mine = library.edit("win/guide.md", open_editor=False)
    mine.write_bytes(CRLF.replace(b"three", b"three (mine)"))
    upstream.push({"win/guide.md": CRLF.replace(b"three", b"three (team)")})
    assert library.update().conflicts == ["win/guide.md"]
    text = mine.read_bytes()
    assert text.startswith(b"# Windows\r\n\r\none\r\ntwo\r\n<<<<<<< personal win/guide.md\r\n")
    assert text.endswith(b">>>>>>> upstream\r\nfour\r\nfive\r\n")
    assert b"\n" not in text.replace(b"\r\n", b"")


def test_a_crlf_copy_merges_an_lf_upstream_line_by_line(library: Library, upstream: Any) -> None:
    lf = CRLF.replace(b"\r\n", b"\n")
    upstream.push({"win/guide.md": lf})
    library.update()
    mine = library.edit("win/guide.md", open_editor=False)
    mine.write_bytes(CRLF.replace(b"one", b"one (mine)"))
    upstream.push({"win/guide.md": lf.replace(b"five", b"five (team)")})
    assert library.update().merged == ["win/guide.md"]
    assert mine.read_bytes() == CRLF.replace(b"one", b"one (mine)").replace(b"five", b"five (team)")


def test_an_override_follows_its_file_renamed_upstream(
    library: Library, upstream: Any, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md", open_editor=False)
    edit(mine, "one", "one (mine)")
    library.personal.commit_all("mine")
    upstream.rename("roles/reviewer.md", "roles/code-reviewer.md")
    upstream.push({"roles/code-reviewer.md": "# Reviewer\n\none\ntwo\nthree\nfour\nfive (team)\n"})
    library.status(fetch=True)
    [override] = library.status().overrides
    assert (override.state, override.renamed_to) == ("renamed-upstream", "roles/code-reviewer.md")

    report = library.update()
    assert [(r.from_path, r.to) for r in report.renamed] == [
        ("roles/reviewer.md", "roles/code-reviewer.md")
    ]
    assert report.merged == ["roles/code-reviewer.md"]
    moved = library.personal_dir / "roles" / "code-reviewer.md"
    assert not mine.exists()
    assert "one (mine)" in moved.read_text() and "five (team)" in moved.read_text()
    assert states(library) == {"roles/code-reviewer.md": "clean"}
    assert library.forks() == {"roles/code-reviewer.md": library.base.head()}
    assert library.resolve("roles/code-reviewer.md").origin == "override"


def test_an_override_deleted_upstream_is_reported_before_and_kept_after(
    library: Library, upstream: Any
) -> None:
    library.edit("tools/git.md", open_editor=False)
    upstream.push({"tools/git.md": None})
    library.status(fetch=True)
    assert states(library) == {"tools/git.md": "removed-upstream"}
    assert library.update().removed_upstream == ["tools/git.md"]
    assert (library.personal_dir / "tools" / "git.md").exists()


def test_resolve_ours_theirs_and_merged_settle_a_text_conflict(
    library: Library, upstream: Any, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md", open_editor=False)
    edit(mine, "three", "three (mine)")
    mine_before = mine.read_bytes()
    team = "# Reviewer\n\none\ntwo\nthree (team)\nfour\nfive\n"
    upstream.push({"roles/reviewer.md": team})
    assert library.update().conflicts == ["roles/reviewer.md"]

    with pytest.raises(ToolError) as not_yet:
        library.settle("roles/reviewer.md", "merged")
    assert not_yet.value.code == "AI_CONFIG_CONFLICT_MARKERS_LEFT"
    library.settle("roles/reviewer.md", "ours")
    assert mine.read_bytes() == mine_before
    assert states(library) == {"roles/reviewer.md": "clean"}

    with pytest.raises(ToolError) as nothing:
        library.settle("roles/reviewer.md", "theirs")
    assert nothing.value.code == "AI_CONFIG_NO_CONFLICT"


def test_resolve_theirs_and_merged(
    library: Library, upstream: Any, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md", open_editor=False)
    edit(mine, "three", "three (mine)")
    team = "# Reviewer\n\none\ntwo\nthree (team)\nfour\nfive\n"
    upstream.push({"roles/reviewer.md": team})
    library.update()
    library.settle("roles/reviewer.md", "theirs")
    assert mine.read_text() == team

    edit(mine, "one", "one (mine)")
    upstream.push({"roles/reviewer.md": team.replace("one", "one (team)")})
    assert library.update().conflicts == ["roles/reviewer.md"]
    mine.write_text(team.replace("one", "one (both)"))
    library.settle("roles/reviewer.md", "merged")
    assert states(library) == {"roles/reviewer.md": "clean"}
    assert library.personal.is_clean()


def test_forget_drops_an_override_after_a_backup(
    library: Library, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md", open_editor=False)
    edit(mine, "one", "one (mine)")
    forgotten = library.forget("roles/reviewer.md")
    assert forgotten.path == "roles/reviewer.md"
    assert not mine.exists()
    assert library.resolve("roles/reviewer.md").origin == "base"
    assert library.forks() == {}
    [backup] = [b for b in library.safety.backups.list(mine) if b.reason == "library forget"]
    library.safety.backups.restore(backup.id)
    assert "one (mine)" in mine.read_text()
    last = library.safety.audit.tail(1)[0]
    assert (last.action, last.outcome) == ("library forget", "done")
    with pytest.raises(ToolError) as missing:
        library.forget("tools/git.md")
    assert missing.value.code == "AI_CONFIG_NOT_AN_OVERRIDE"


def test_an_edit_backs_up_only_what_it_touches(library: Library) -> None:
    library.edit("roles/reviewer.md", open_editor=False)
    sources = {b.source for b in library.safety.backups.list()}
    assert str(library.personal_dir) not in sources
    assert str(library.forks_file) in sources


def test_a_failed_change_puts_files_and_history_back(library: Library) -> None:
    head = library.personal.head()
    mine = library.personal_dir / "roles" / "reviewer.md"
    with (
        pytest.raises(RuntimeError),
        library.safety.change("test", [mine], repo=library.personal),
    ):
        mine.parent.mkdir(parents=True, exist_ok=True)
        mine.write_text("half done\n")
        library.personal.commit_all("half")
        raise RuntimeError("power cut")
    assert library.personal.head() == head
    assert not mine.exists()
    assert library.safety.audit.tail(1)[0].outcome == "rolled back"


def test_diff_shows_each_override_against_the_base(
    library: Library, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md", open_editor=False)
    edit(mine, "one", "one (mine)")
    library.new("notes/own.md", open_editor=False)
    library.edit("tools/git.md", open_editor=False)  # as the base has it: no diff
    text = library.diff()
    assert text == (
        "diff --git a/roles/reviewer.md b/roles/reviewer.md\n"
        "--- a/roles/reviewer.md\n"
        "+++ b/roles/reviewer.md\n"
        "@@ -1,6 +1,6 @@\n"
        " # Reviewer\n"
        " \n"
        "-one\n"
        "+one (mine)\n"
        " two\n"
        " three\n"
        " four\n"
    )
    assert library.diff("notes/own.md").startswith(
        "diff --git a/notes/own.md b/notes/own.md\nnew file\n--- /dev/null\n+++ b/notes/own.md\n"
    )
