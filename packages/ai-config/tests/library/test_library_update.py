"""Updates against a real upstream: fast-forward, three-way merges, conflicts, rollback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_config.library.sources import SourceSet
from ai_config.library.store import Library
from groundwork.errors import ToolError


def test_init_from_the_starter_library_works_offline(tmp_path: Path) -> None:
    lib = Library(tmp_path / "home")
    lib.init(None, None)
    paths = [f.path for f in lib.files()]
    assert "roles/code-reviewer.md" in paths
    assert "agents/reviewer.yaml" in paths
    assert len(paths) >= 12
    with pytest.raises(ToolError) as again:
        lib.init(None, None)
    assert again.value.code == "AI_CONFIG_ALREADY_INITIALISED"


def test_upstream_only_changes_fast_forward(library: Library, upstream: Any) -> None:
    upstream.push({"tools/git.md": "# Git\n\nsmall commits\nrebase before review\n"})
    report = library.update()
    assert report.changed == ["tools/git.md"]
    assert "rebase before review" in (library.base_dir / "tools/git.md").read_text()
    assert report.merged == [] and report.conflicts == []


def test_personal_only_changes_survive_an_update(
    library: Library, upstream: Any, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md")
    edit(mine, "two", "two (mine)")
    upstream.push({"tools/git.md": "# Git\n\nchanged upstream\n"})
    report = library.update()
    assert report.merged == []
    assert "two (mine)" in mine.read_text()


def test_both_sides_changing_different_lines_merge_cleanly(
    library: Library, upstream: Any, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md")
    edit(mine, "one", "one (mine)")
    upstream.push({"roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree\nfour\nfive (team)\n"})
    status = library.status(fetch=True)
    assert {o.path: o.state for o in status.overrides} == {"roles/reviewer.md": "base-changed"}
    assert (status.behind, status.ahead) == (1, 0)

    preview = library.update(dry_run=True)
    assert preview.merged == ["roles/reviewer.md"]
    assert "five (team)" not in mine.read_text()

    report = library.update()
    assert report.merged == ["roles/reviewer.md"]
    text = mine.read_text()
    assert "one (mine)" in text and "five (team)" in text
    after = {o.path: o.state for o in library.status().overrides}
    assert after == {"roles/reviewer.md": "clean"}


def test_both_sides_changing_the_same_line_leave_markers(
    library: Library, upstream: Any, edit: Callable[[Path, str, str], None]
) -> None:
    mine = library.edit("roles/reviewer.md")
    edit(mine, "three", "three (mine)")
    upstream.push({"roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree (team)\nfour\nfive\n"})
    report = library.update()
    assert report.conflicts == ["roles/reviewer.md"]
    text = mine.read_text()
    assert "<<<<<<< personal roles/reviewer.md" in text
    assert "three (mine)" in text and "three (team)" in text
    states = {o.path: o.state for o in library.status().overrides}
    assert states == {"roles/reviewer.md": "conflict"}


def test_a_base_edited_in_place_is_refused_with_guidance(library: Library, upstream: Any) -> None:
    (library.base_dir / "tools/git.md").write_text("edited where it should not be\n")
    upstream.push({"tools/git.md": "# Git\n\nnew\n"})
    with pytest.raises(ToolError) as refused:
        library.update()
    assert refused.value.code == "AI_CONFIG_BASE_EDITED"
    assert "library edit" in refused.value.suggestions[0]


def test_rollback_and_roll_forward(library: Library, upstream: Any) -> None:
    first = library.base.head()
    upstream.push({"tools/git.md": "# Git\n\nv2\n"})
    library.update()
    back = library.rollback(None)
    assert back.new == first
    assert back.changed == ["tools/git.md"]
    assert "v2" not in (library.base_dir / "tools/git.md").read_text()
    library.rollback(back.old)
    assert "v2" in (library.base_dir / "tools/git.md").read_text()


def test_a_library_moved_to_a_new_url_keeps_working(
    library: Library, upstream: Any, tmp_path: Path
) -> None:
    moved = tmp_path / "moved.git"
    upstream.bare.rename(moved)
    with pytest.raises(ToolError) as unreachable:
        library.update()
    assert unreachable.value.code == "AI_CONFIG_GIT_REPOSITORY_MOVED"
    assert "does not appear to be a git repository" in unreachable.value.message
    assert "ai-config library source set-url base URL" in unreachable.value.suggestions[0]
    SourceSet(library).set_url("base", str(moved))
    assert library.read_lock().sources["base"].url == str(moved)
    assert library.update().old == library.base.head()


def test_paths_that_escape_the_library_are_refused(library: Library) -> None:
    for bad in ("../etc/passwd", "/etc/passwd", "roles/../../x", ".git/config"):
        with pytest.raises(ToolError) as refused:
            library.edit(bad)
        assert refused.value.code == "AI_CONFIG_PATH_OUTSIDE_LIBRARY"


def test_a_warm_status_rereads_nothing(library: Library) -> None:
    library.status()
    assert library.status().files_reread == 0
    (library.personal_dir / "notes.md").write_text("new\n")
    assert library.status().files_reread == 1
