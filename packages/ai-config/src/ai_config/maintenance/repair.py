"""`ai-config repair`: fix what `doctor` finds, where a fix is safe.

Each repair backs up what it changes first and is audited (an interrupted update is finished by
the update itself, which does both); each reports what it found and what it did. What no fix can
make safe (a damaged repository, a conflict only a person can settle) is left to `doctor`'s
advice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field

from ai_config.exports.records import ExportRecord, ExportRecords
from ai_config.library.store import UPDATE_LOCK, Library
from ai_config.results import Result
from ai_config.sync.lock import break_stale, lock_info
from groundwork.errors import ToolError

__all__ = ["Repair", "broken_export_records", "repair"]

Outcome = Literal["fixed", "would-fix", "failed"]


class Repair(Result):
    problem: str = Field(description="What doctor reports")
    action: str = Field(description="What repair did (or, with --dry-run, would do)")
    outcome: Outcome
    backups: list[str] = Field(default_factory=list, description="Backups taken first")
    detail: str | None = Field(default=None, description="What failed, when it did")


def broken_export_records(home: Path) -> tuple[list[ExportRecord], int] | None:
    """The records that can still be read and how many cannot, when ``state/exports.json`` is
    broken (not JSON, or entries that are not records); None when it is sound."""
    store = ExportRecords(home)
    try:
        store.load()
        return None
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    try:
        data = json.loads(store.file.read_text("utf-8"))
    except ValueError:
        return [], 1
    entries = data.get("exports", []) if isinstance(data, dict) else []
    good = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            good.append(ExportRecord(**entry))
        except TypeError:
            continue
    return good, max(1, len(entries) - len(good)) if isinstance(entries, list) else 1


def repair(home: Path, *, dry_run: bool = False) -> list[Repair]:
    lib = Library(home)
    done: list[Repair] = []
    base_there = (lib.base_dir / ".git").is_dir()
    if base_there and lib.personal_dir.is_dir() and not lib.personal_git_dir.is_dir():
        done.append(
            _step(
                lib,
                dry_run,
                f"the personal library's git history ({lib.personal_git_dir}) is missing",
                "started a new history with the personal files as they are",
                [lib.personal_git_dir],
                lambda: lib.init_personal_git("History started again by ai-config repair"),
            )
        )
    lock = lib.personal_dir / UPDATE_LOCK
    info = lock_info(lock)
    if info is not None and info.stale:
        done.append(
            _step(
                lib,
                dry_run,
                f"a stale update lock ({info.reason})",
                f"broke the lock {info.host} (process {info.pid}) left",
                [lock],
                lambda: break_stale(lock),
            )
        )
    interrupted = lib.interrupted_update() if lib.initialised else None
    if interrupted is not None:
        done.append(_finish_update(lib, interrupted, dry_run))
    broken = broken_export_records(home)
    if broken is not None:
        good, lost = broken
        records = ExportRecords(home)
        done.append(
            _step(
                lib,
                dry_run,
                f"the export records ({records.file}) cannot be read: {lost} broken",
                f"rewrote them with the {len(good)} that can be read",
                [records.file],
                lambda: records.save(good),
            )
        )
    return done


def _step(
    lib: Library,
    dry_run: bool,
    problem: str,
    action: str,
    touched: list[Path],
    fix: Callable[[], object],
) -> Repair:
    if dry_run:
        return Repair(problem=problem, action=action, outcome="would-fix")
    try:
        with lib.safety.change("repair", touched, problem=problem, fix=action) as backups:
            fix()
    except (ToolError, OSError) as exc:
        return Repair(problem=problem, action=action, outcome="failed", detail=str(exc))
    return Repair(problem=problem, action=action, outcome="fixed", backups=list(backups.values()))


def _finish_update(lib: Library, interrupted: dict[str, str], dry_run: bool) -> Repair:
    old, new = interrupted["old"], interrupted["new"]
    problem = f"an update ({old[:8]} -> {new[:8]}) was interrupted"
    action = f"finished the update to {new[:8]}, the revision it was going to"
    if dry_run:
        return Repair(problem=problem, action=action, outcome="would-fix")
    before = len(lib.safety.audit.entries())
    try:
        report = lib.update_to(new)
    except ToolError as exc:
        return Repair(problem=problem, action=action, outcome="failed", detail=exc.message)
    entries = lib.safety.audit.entries()[before:]
    backups = [b for e in entries for b in (e.model_extra or {}).get("backups", [])]
    merged = f"{len(report.merged)} merged, {len(report.conflicts)} with conflicts"
    return Repair(problem=problem, action=f"{action} ({merged})", outcome="fixed", backups=backups)
