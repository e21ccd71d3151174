"""Moving the base library: updates (fast-forward, then three-way merges of your overrides) and
rollbacks.

An update writes a journal (``state/update-in-progress.json``) before it changes anything and
removes it when done. A crash in between (a SIGKILL, a power cut) leaves the journal, `doctor`
reports it, and running the update again finishes the job: overrides already merged merge again
cleanly, since both sides then carry the same change.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ai_config.library.conflicts import Conflict
from ai_config.library.git import Change
from ai_config.library.merge import merge_bytes, upstream_copy_path
from ai_config.library.models import Renamed, SourceUpdate
from ai_config.library.paths import contained
from ai_config.library.store import UPDATE_LOCK
from ai_config.sync.lock import update_lock
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write, atomic_write_json

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


@dataclass(frozen=True)
class _Plan:
    """One override upstream changed: its fork record's path, where the file is now, where
    upstream has it, and the bytes of the three sides."""

    key: str
    here: str
    to: str
    mine: bytes
    fork: bytes
    upstream: bytes


Progress = Callable[[int, int, str], None]
"""Told ``(done, total, path)`` as each override is merged: the TUI's progress bar."""


def update(
    lib: Library,
    *,
    dry_run: bool = False,
    frozen: bool = False,
    target: str | None = None,
    progress: Progress | None = None,
) -> SourceUpdate:
    """``target``: move to this revision without fetching (`repair` finishes an interrupted
    update to exactly the revision it was going to)."""
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
    # Dry runs change nothing, so they need no lock (and go on while another machine updates).
    lock = update_lock(lib.personal_dir / UPDATE_LOCK, "library update")
    with contextlib.nullcontext() if dry_run else lock:
        return _update(lib, dry_run=dry_run, frozen=frozen, target=target, progress=progress)


def _update(
    lib: Library, *, dry_run: bool, frozen: bool, target: str | None, progress: Progress | None
) -> SourceUpdate:
    if target is None:
        lib.base.run("fetch", "-q", token_url=lib.library_url())
    interrupted = interrupted_update(lib)
    # After a crash the base may already be fast-forwarded: report the whole move again.
    old = interrupted["old"] if interrupted else lib.base.head()
    new = lib.base.out("rev-parse", "--verify", f"{target or '@{u}'}^{{commit}}")
    report = SourceUpdate(source="base", old=old, new=new)
    if frozen and old != new:
        raise ToolError(
            "AI_CONFIG_LOCK_FROZEN",
            f"Upstream moved ({old[:8]} -> {new[:8]}) but --frozen forbids moving the pin.",
            suggestions=["Run without --frozen to update, or keep the pinned revision."],
            exit_code=ExitCode.CONFLICT,
        )
    report.changed = lib.base.changed_files(old, new) if old != new else []
    plans = _plans(lib, new, report)
    if old == new and not plans:
        return report
    if dry_run:
        for plan in plans:
            merged = merge_bytes(lib.personal, plan.to, plan.mine, plan.fork, plan.upstream)
            (report.merged if merged.outcome == "clean" else report.conflicts).append(plan.to)
            if plan.to != plan.key:
                report.renamed.append(Renamed(from_path=plan.key, to=plan.to))
        return report
    touched = [lib.forks_file, lib.lock_file, lib.conflicts.file]
    for plan in plans:
        touched += [lib.personal_dir / plan.here, lib.personal_dir / plan.to]
        touched.append(lib.personal_dir / upstream_copy_path(plan.to))
    _run(lib, plans, old, new, touched, report, progress)
    return report


def _run(
    lib: Library,
    plans: list[_Plan],
    old: str,
    new: str,
    touched: list[Path],
    report: SourceUpdate,
    progress: Progress | None,
) -> None:
    journal = _journal(lib)
    atomic_write_json(journal, {"old": old, "new": new})
    try:
        _hold("started")
        with lib.safety.change("library update", touched, repo=lib.personal, old=old, new=new):
            if lib.base.head() != new:
                lib.base.run("merge", "-q", "--ff-only", new)
            forks = lib.forks()
            conflicts = lib.conflicts.load()
            _hold("merged-0")
            for done, plan in enumerate(plans, 1):
                _apply(lib, plan, new, forks, conflicts, report)
                if progress is not None:
                    progress(done, len(plans), plan.to)
                _hold(f"merged-{done}")
            atomic_write_json(lib.forks_file, forks)
            lib.conflicts.save(conflicts)
            lib.personal.commit_all(f"Merge base {old[:8]}..{new[:8]}")
            _hold("committed")
            lib.write_base_pin(new)
    except BaseException:
        lib.base.run("reset", "-q", "--hard", old, check=False)
        journal.unlink(missing_ok=True)  # everything is back as it was
        raise
    journal.unlink()


def _plans(lib: Library, new: str, report: SourceUpdate) -> list[_Plan]:
    """Every override whose file upstream changed or moved since it was forked, with the bytes
    of its three sides (all read by one `git cat-file --batch`)."""
    moves: list[tuple[str, str, str, str]] = []  # fork key, where it is, where upstream, fork
    changes: dict[str, dict[str, Change]] = {}
    for key, forked in sorted(lib.forks().items()):
        if forked == new:
            continue
        if forked not in changes:
            changes[forked] = lib.base.changes(forked, new)
        change = changes[forked].get(key)
        if change is None:
            continue
        to = change.path if change.kind == "renamed" else key
        # An update killed after moving the file finds it already at its new place.
        here = key if (lib.personal_dir / key).exists() else to
        if not (lib.personal_dir / here).exists():
            continue
        if change.kind == "deleted":
            report.removed_upstream.append(key)
            continue
        if here != to and (lib.personal_dir / to).exists():
            continue  # a personal file is in the way: `library status` keeps saying renamed
        moves.append((key, here, to, forked))
    blobs = lib.base.blobs(
        [f"{forked}:{key}" for key, _, _, forked in moves]
        + [f"{new}:{to}" for _, _, to, _ in moves]
    )
    plans = []
    for key, here, to, forked in moves:
        upstream = blobs[f"{new}:{to}"]
        if upstream is None:
            continue
        mine = contained(lib.personal_dir, here).read_bytes()
        plans.append(_Plan(key, here, to, mine, blobs[f"{forked}:{key}"] or b"", upstream))
    return plans


def _apply(
    lib: Library,
    plan: _Plan,
    new: str,
    forks: dict[str, str],
    conflicts: dict[str, Conflict],
    report: SourceUpdate,
) -> None:
    merged = merge_bytes(lib.personal, plan.to, plan.mine, plan.fork, plan.upstream)
    if merged.outcome != "clean":
        binary = merged.outcome == "binary-conflict"
        copy = upstream_copy_path(plan.to) if binary else None
        if copy is not None:
            atomic_write(lib.personal_dir / copy, plan.upstream)
        conflicts[plan.to] = Conflict(
            "binary" if binary else "text",
            lib.personal.store_blob(plan.mine),
            new,
            copy,
            base_blob=lib.personal.store_blob(plan.fork),
            theirs_blob=lib.personal.store_blob(plan.upstream),
        )
    else:
        conflicts.pop(plan.to, None)
    if merged.data != plan.mine or plan.here != plan.to:
        atomic_write(lib.personal_dir / plan.to, merged.data)
    if plan.to != plan.key:
        if plan.here != plan.to:
            (lib.personal_dir / plan.here).unlink()
        forks.pop(plan.key, None)
        conflicts.pop(plan.key, None)
        report.renamed.append(Renamed(from_path=plan.key, to=plan.to))
    (report.merged if merged.outcome == "clean" else report.conflicts).append(plan.to)
    forks[plan.to] = new


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
