"""Named sources beside the base, layered and pinned in library.lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ai_config.library.sources import SourceSet
from ai_config.library.store import Library
from groundwork.errors import ToolError


def test_a_source_layers_over_the_base_and_is_pinned(
    library: Library, upstream: Any, tmp_path: Path
) -> None:
    (tmp_path / "second").mkdir()
    other = type(upstream)(tmp_path / "second")
    other.push({"tools/git.md": "# Git, the team's way\n", "roles/ops.md": "# Ops\n"})
    sources = SourceSet(library)
    revision = sources.add("team", str(other.bare), "main").revision
    files = {f.path: f for f in library.files()}
    assert "roles/ops.md" in files
    assert "the team's way" in files["tools/git.md"].location.read_text()
    lock = json.loads(library.lock_file.read_text())
    assert lock["sources"]["team"]["revision"] == revision
    assert lock["sources"]["base"]["revision"] == library.base.head()

    moved = other.push({"roles/ops.md": "# Ops v2\n"})
    with pytest.raises(ToolError) as frozen:
        sources.update(frozen=True, dry_run=False)
    assert frozen.value.code == "AI_CONFIG_LOCK_FROZEN"
    [moved_team] = sources.update(frozen=False, dry_run=False)
    assert (moved_team.source, moved_team.new, moved_team.changed) == (
        "team",
        moved,
        ["roles/ops.md"],
    )
    assert json.loads(library.lock_file.read_text())["sources"]["team"]["revision"] == moved
    assert "v2" in library.resolve("roles/ops.md").location.read_text()

    mine = library.edit("roles/ops.md", open_editor=False)
    assert mine.read_text() == "# Ops v2\n"
    assert library.resolve("roles/ops.md").origin == "override"

    sources.remove("team")
    assert "team" not in json.loads(library.lock_file.read_text())["sources"]
