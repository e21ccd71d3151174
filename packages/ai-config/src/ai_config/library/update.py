"""Moving the base library: updates (fast-forward, then three-way merges of your overrides) and
rollbacks.

An update writes a journal (``state/update-in-progress.json``) before it changes anything and
removes it when done. A crash in between (a SIGKILL, a power cut) leaves the journal, `doctor`
reports it, and running the update again finishes the job: overrides already merged merge again
cleanly, since both sides then carry the same change.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ai_config.library.models import SourceUpdate
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json, atomic_write_text

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["HOLD_VAR", "interrupted_update", "rollback", "update"]

HOLD_VAR = "AI_CONFIG_HOLD_UPDATE"
"""Crash tests set this to a point of the update (``started``, ``merged-N``, ``committed``); the
update announces that point on stderr and waits there to be killed, so the test kills it exactly
there rather than after a guessed delay."""


def _journal(lib: Library) -> Path:
    return lib.home / "state" / "update-in-progress.json"


def interrupted_update(lib: Library) -> dict[str, str] | None:
    """The update a crash cut short (its old and new revisions); updating again finishes it."""
    try:
        data: dict[str, str] = json.loads(_journal(lib).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data


def _hold(point: str) -> None:
    if os.environ.get(HOLD_VAR) != point:
        return
    sys.stderr.write(f"ai-config: update held at {point} ({HOLD_VAR})\n")
    sys.stderr.flush()
    while True:
        signal.pause()


def update(lib: Library, *, dry_run: bool = False, frozen: bool = False) -> SourceUpdate:
    lib.require()
    if not lib.base.is_clean():
        raise ToolError(
            "AI_CONFIG_BASE_EDITED",
            "The base library was edited in place, so an update could overwrite those edits.",
            suggestions=[
                "Keep them as overrides: copy each edited file aside, run"
                f" `git -C {lib.base_dir} checkout -- .`, then `ai-config library edit PATH`.",
                f"See what changed: git -C {lib.base_dir} status",
            ],
            exit_code=ExitCode.CONFLICT,
        )
    if lib.upstream() is None:
        raise ToolError(
            "AI_CONFIG_NO_UPSTREAM",
            "This base library has no upstream to update from (it came from the starter).",
            suggestions=["Start from a shared library: ai-config init --library URL"],
            exit_code=ExitCode.NOT_FOUND,
        )
    lib.base.run("fetch", "-q", token_url=lib.library_url())
    interrupted = interrupted_update(lib)
    # After a crash the base may already be fast-forwarded: report the whole move again.
    old = interrupted["old"] if interrupted else lib.base.head()
    new = lib.base.out("rev-parse", "@{u}")
    report = SourceUpdate(source="base", old=old, new=new)
    if frozen and old != new:
        raise ToolError(
            "AI_CONFIG_LOCK_FROZEN",
            f"Upstream moved ({old[:8]} -> {new[:8]}) but --frozen forbids moving the pin.",
            suggestions=["Run without --frozen to update, or keep the pinned revision."],
            exit_code=ExitCode.CONFLICT,
        )
    report.changed = lib.base.changed_files(old, new) if old != new else []
    plans = []
    for rel, forked in sorted(lib.forks().items()):
        if forked == new or not (lib.personal_dir / rel).exists():
            continue
        upstream_text = lib.base.show(new, rel)
        if upstream_text is None:
            report.removed_upstream.append(rel)
            continue
        fork_text = lib.base.show(forked, rel) or ""
        if fork_text != upstream_text:
            plans.append((rel, fork_text, upstream_text))
    if old == new and not plans:
        return report
    if dry_run:
        for rel, fork_text, upstream_text in plans:
            _, conflicts = _merge(lib, rel, fork_text, upstream_text, write=False)
            (report.conflicts if conflicts else report.merged).append(rel)
        return report
    touched = [lib.personal_dir, lib.forks_file, lib.lock_file]
    journal = _journal(lib)
    atomic_write_json(journal, {"old": old, "new": new})
    try:
        _hold("started")
        with lib.safety.change("library update", touched, old=old, new=new):
            if lib.base.head() != new:
                lib.base.run("merge", "-q", "--ff-only", new)
            forks = lib.forks()
            _hold("merged-0")
            for done, (rel, fork_text, upstream_text) in enumerate(plans, 1):
                _, conflicts = _merge(lib, rel, fork_text, upstream_text, write=True)
                (report.conflicts if conflicts else report.merged).append(rel)
                forks[rel] = new
                _hold(f"merged-{done}")
            atomic_write_json(lib.forks_file, forks)
            lib.personal.commit_all(f"Merge base {old[:8]}..{new[:8]}")
            _hold("committed")
            lib.write_base_pin(new)
    except BaseException:
        lib.base.run("reset", "-q", "--hard", old, check=False)
        journal.unlink(missing_ok=True)  # everything is back as it was
        raise
    journal.unlink()
    return report


def _merge(
    lib: Library, rel: str, fork_text: str, upstream_text: str, *, write: bool
) -> tuple[str, int]:
    """Three-way merge of a personal override with git merge-file; returns (text, conflicts)."""
    mine = lib.personal_dir / rel
    with tempfile.TemporaryDirectory() as tmp:
        fork_file, upstream_file = Path(tmp) / "fork", Path(tmp) / "upstream"
        fork_file.write_text(fork_text, encoding="utf-8")
        upstream_file.write_text(upstream_text, encoding="utf-8")
        done = lib.personal.run(
            "merge-file",
            "-p",
            "-L",
            f"personal {rel}",
            "-L",
            "base when forked",
            "-L",
            "upstream",
            str(mine),
            str(fork_file),
            str(upstream_file),
            check=False,
        )
    if done.returncode < 0 or done.returncode > 127:
        raise ToolError(
            "AI_CONFIG_MERGE_FAILED",
            f"git merge-file could not merge {rel}: {done.stderr.strip()}",
            suggestions=["Resolve it by hand: ai-config library diff " + rel],
        )
    if write:
        atomic_write_text(mine, done.stdout)
    return done.stdout, done.returncode


def rollback(lib: Library, revision: str | None) -> SourceUpdate:
    """Move the base back (default: one commit); the report's ``old`` is where to roll forward."""
    lib.require()
    if not lib.base.is_clean():
        raise ToolError(
            "AI_CONFIG_BASE_EDITED",
            "The base library has local edits; a rollback would lose them.",
            suggestions=[f"See them: git -C {lib.base_dir} status"],
            exit_code=ExitCode.CONFLICT,
        )
    old = lib.base.head()
    target = revision or "HEAD~1"
    done = lib.base.run("rev-parse", "--verify", f"{target}^{{commit}}", check=False)
    if done.returncode != 0:
        raise ToolError(
            "AI_CONFIG_REVISION_UNKNOWN",
            f"{target!r} is not a revision of the base library.",
            suggestions=["See the history: ai-config library log"],
            exit_code=ExitCode.NOT_FOUND,
        )
    new = done.stdout.strip()
    with lib.safety.change("library rollback", [lib.lock_file], old=old, new=new):
        lib.base.run("reset", "-q", "--hard", new)
        lib.write_base_pin(new)
    return SourceUpdate(source="base", old=old, new=new, changed=lib.base.changed_files(old, new))
