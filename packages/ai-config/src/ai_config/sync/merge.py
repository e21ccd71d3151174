"""Merging a sync tool's conflict copy into the file it is a copy of, three-way.

The two sides are the file and its copy (this machine's version and the other machine's, in
whichever order the tool chose). The common version is looked for among the versions this
machine's personal history has of the file (each ai-config change commits) and the base file it
was forked from: of those that are neither side, the one nearest the other side, which is what
the other machine started from (the newest committed version is often this machine's own edit,
and taking it as the base would drop the other side's changes). Text merges
through `git merge-file` (only overlapping edits conflict; they are left with markers and
recorded, so `library resolve` can take either side whole); binary files are never merged
line-wise, the copy stays until `library resolve`. Every merge backs up both files, commits,
and is audited, under the update lock.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field

from ai_config.library.conflicts import Conflict
from ai_config.library.merge import merge_bytes
from ai_config.library.paths import contained, library_path
from ai_config.library.store import SHARED_DIR, UPDATE_LOCK
from ai_config.results import Result
from ai_config.sync.copies import SyncTool, conflict_copy_of, is_sync_tool_file
from ai_config.sync.lock import update_lock
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["ConflictCopy", "CopyMerge", "common_version", "find_copies", "merge_copies"]

_HISTORY = 50
"""How many of the file's committed versions are looked at for the common one."""

MergeOutcome = Literal["merged", "conflict", "binary-conflict", "restored"]


class ConflictCopy(Result):
    """A copy a sync tool made when two machines changed one file."""

    path: str = Field(description="The copy, as a path in the personal library")
    original: str = Field(description="The file it is a copy of")
    tool: SyncTool


class CopyMerge(Result):
    """What merging one conflict copy did."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    path: str = Field(description="The file the copy was merged into")
    copy_path: str = Field(alias="copy", description="The conflict copy")
    tool: SyncTool
    outcome: MergeOutcome = Field(
        description="merged (clean, the copy removed); conflict (markers left for library"
        " resolve); binary-conflict (the copy kept until library resolve); restored (the file"
        " was gone: the copy took its place)"
    )


def find_copies(lib: Library) -> list[ConflictCopy]:
    """Every conflict copy in the personal library, ai-config's own files' included; those
    an earlier merge kept beside a binary conflict are waiting for `library resolve` instead."""
    kept = lib.conflicts.copies()
    found = []
    for folder, dirs, files in os.walk(lib.personal_dir):
        dirs[:] = [d for d in dirs if d != ".git" and not is_sync_tool_file(d)]
        for name in files:
            rel = Path(folder, name).relative_to(lib.personal_dir).as_posix()
            copy = conflict_copy_of(rel)
            if copy is not None and copy[0] == UPDATE_LOCK:
                continue  # two hosts' locks met: no content, and `gc` clears it
            if copy is not None and rel not in kept:
                found.append(ConflictCopy(path=rel, original=copy[0], tool=copy[1]))
    return sorted(found, key=lambda c: c.path)


def merge_copies(lib: Library, path: str | None = None) -> list[CopyMerge]:
    """Merge every conflict copy (or those of one file, or one copy named by its path)."""
    lib.require()
    copies = find_copies(lib)
    if path is not None:
        rel = library_path(path) if not path.startswith(SHARED_DIR + "/") else path
        copies = [c for c in copies if rel in (c.path, c.original)]
        if not copies:
            raise ToolError(
                "AI_CONFIG_NO_CONFLICT_COPY",
                f"{path} has no conflict copy from a sync tool to merge.",
                suggestions=["See what waits: ai-config sync status"],
                context={"path": path},
                exit_code=ExitCode.NOT_FOUND,
            )
    if not copies:
        return []
    with update_lock(lib.personal_dir / UPDATE_LOCK, "sync merge"):
        return [_merge_one(lib, copy) for copy in copies]


def _merge_one(lib: Library, copy: ConflictCopy) -> CopyMerge:
    target = contained(lib.personal_dir, copy.original)
    copy_file = contained(lib.personal_dir, copy.path)
    theirs = copy_file.read_bytes()
    conflicts = lib.conflicts.load()
    touched = [target, copy_file, lib.conflicts.file]
    outcome: MergeOutcome
    with lib.safety.change(
        "sync merge",
        touched,
        repo=lib.personal,
        path=copy.original,
        copy=copy.path,
        tool=copy.tool,
    ):
        if not target.exists():
            copy_file.rename(target)
            outcome = "restored"
        else:
            mine = target.read_bytes()
            base = common_version(lib, copy.original, mine, theirs)
            if copy.original == lib.forks_file.relative_to(lib.personal_dir).as_posix():
                outcome, data = "merged", _merged_forks(mine, base, theirs)
            else:
                merged = merge_bytes(
                    lib.personal,
                    copy.original,
                    mine,
                    base,
                    theirs,
                    labels=("last committed here", f"{copy.tool} conflict copy"),
                )
                outcome = "merged" if merged.outcome == "clean" else merged.outcome
                data = merged.data
            if outcome != "merged":
                conflicts[copy.original] = Conflict(
                    "binary" if outcome == "binary-conflict" else "text",
                    lib.personal.store_blob(mine),
                    "",
                    copy.path if outcome == "binary-conflict" else None,
                    base_blob=lib.personal.store_blob(base),
                    theirs_blob=lib.personal.store_blob(theirs),
                )
                lib.conflicts.save(conflicts)
            if data != mine:
                atomic_write(target, data)
            if outcome != "binary-conflict":
                copy_file.unlink()
        lib.personal.commit_all(f"Merge {copy.tool} conflict copy of {copy.original}")
    return CopyMerge(path=copy.original, copy_path=copy.path, tool=copy.tool, outcome=outcome)


def common_version(lib: Library, rel: str, mine: bytes, theirs: bytes) -> bytes:
    """The version both sides most likely started from (empty when none is known)."""
    commits = lib.personal.run(
        "log", "--format=%H", "-n", str(_HISTORY), "--", rel, check=False
    ).stdout.split()
    versions = list(lib.personal.blobs([f"{c}:{rel}" for c in commits]).values())
    forked = lib.forks().get(rel)
    if forked is not None:
        versions.append(lib.base.blob(forked, rel))
    candidates = [v for v in dict.fromkeys(versions) if v is not None and v not in (mine, theirs)]
    if not candidates:
        return b""
    return min(candidates, key=lambda v: _distance(v, theirs))


def _distance(a: bytes, b: bytes) -> int:
    """Lines that differ between two versions."""
    left, right = a.splitlines(), b.splitlines()
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return len(left) + len(right) - 2 * same


def _merged_forks(mine: bytes, base: bytes, theirs: bytes) -> bytes:
    """Fork records merged by key: each side's changes since the common version apply; where
    both changed one file's record, the newer fork wins only if it is this side's (either is
    a revision of the same base library, and the next update merges from it)."""

    def load(data: bytes) -> dict[str, str]:
        try:
            found = json.loads(data or b"{}")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    ours, common, other = load(mine), load(base), load(theirs)
    merged = dict(ours)
    for key in set(common) | set(other):
        if key in ours and ours.get(key) != common.get(key):
            continue  # changed here: ours stands
        if key in other:
            merged[key] = other[key]
        else:
            merged.pop(key, None)
    return (json.dumps(dict(sorted(merged.items())), indent=2) + "\n").encode()
