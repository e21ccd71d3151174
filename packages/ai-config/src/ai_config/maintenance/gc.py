"""`ai-config gc`: prune what piles up, and say what that freed.

- backups beyond the newest ``keep`` per file, and those older than ``older_than`` days;
- export records of agents that no longer exist (their exported files stay: `uninstall` or the
  tools' own folders are where those go);
- caches and leftovers: the personal library's index (rebuilt by the next status), files an
  interrupted atomic write left (``.NAME.*.tmp``), locks set aside while being broken, a sync
  tool's conflict copies of the update lock (two hosts' locks that met); only
  those untouched for an hour, so a write or a lock break running now keeps its file.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field

from ai_config.exports.records import ExportRecords
from ai_config.library.store import SHARED_DIR, UPDATE_LOCK, Library
from ai_config.results import Result
from ai_config.sync.copies import conflict_copy_of
from groundwork.state.backups import BackupStore

__all__ = ["LEFTOVER_AGE", "Freed", "GcReport", "collect"]

LEFTOVER_AGE = timedelta(hours=1)
"""How long a temporary file goes untouched before it is a leftover, not a write in progress."""


class Freed(Result):
    kind: Literal["backup", "export-record", "cache"]
    what: str
    bytes: int


class GcReport(Result):
    items: list[Freed]
    freed_bytes: int = Field(description="What the items took, together")
    dry_run: bool


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def _is_lock_copy(lib: Library, path: Path) -> bool:
    """A sync tool's conflict copy of the update lock: two hosts' locks met while syncing."""
    rel = (
        path.relative_to(lib.personal_dir).as_posix()
        if path.is_relative_to(lib.personal_dir)
        else ""
    )
    found = conflict_copy_of(rel) if rel else None
    return found is not None and found[0] == UPDATE_LOCK


def _untouched_for(path: Path, age: timedelta, now: datetime) -> bool:
    """By its inode's change time, which a rename (a lock set aside) sets too."""
    try:
        changed = datetime.fromtimestamp(path.lstat().st_ctime, UTC)
    except FileNotFoundError:
        return False
    return now - changed > age


def _old_backups(store: BackupStore, keep: int, older_than: timedelta | None) -> list[Freed]:
    """The backups :meth:`BackupStore.prune` removes, found the same way without removing."""
    per_source: dict[str, int] = {}
    now = datetime.now(UTC)
    found = []
    for backup in store.list():
        per_source[backup.source] = per_source.get(backup.source, 0) + 1
        too_old = older_than is not None and now - backup.created > older_than
        if per_source[backup.source] > keep or too_old:
            found.append(
                Freed(
                    kind="backup",
                    what=f"{backup.id} ({backup.reason}: {backup.source})",
                    bytes=_size(store.root / backup.id),
                )
            )
    return found


def collect(
    home: Path,
    *,
    keep: int = 10,
    older_than_days: int | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> GcReport:
    """``now``: the clock leftovers' ages are told by (the real one unless a test sets it)."""
    lib = Library(home)
    older_than = timedelta(days=older_than_days) if older_than_days is not None else None
    store = BackupStore(home / "backups")
    items = _old_backups(store, keep, older_than)
    records = ExportRecords(home)
    orphans = []
    if lib.initialised:
        agents = {Path(rel).stem for rel in lib.glob("agents/*.y*ml")}
        orphans = [r for r in records.load() if r.agent not in agents]
        items += [
            Freed(kind="export-record", what=f"{r.agent}: {r.path}", bytes=len(repr(r)))
            for r in orphans
        ]
    caches = [home / "state" / "index-personal.json"]
    for folder in (home, home / "state", lib.personal_dir / SHARED_DIR):
        if folder.is_dir():
            caches += [
                p
                for p in folder.iterdir()
                if (
                    (p.name.startswith(".") and ".tmp" in p.name)
                    or ".breaking-" in p.name
                    or _is_lock_copy(lib, p)
                )
                and _untouched_for(p, LEFTOVER_AGE, now or datetime.now(UTC))
            ]
    items += [Freed(kind="cache", what=str(p), bytes=_size(p)) for p in caches if p.exists()]
    if not dry_run:
        store.prune(keep=keep, older_than=older_than)
        if orphans:
            with lib.safety.change("gc", [records.file], agents=sorted({r.agent for r in orphans})):
                records.save([r for r in records.load() if r not in orphans])
        for path in caches:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        lib.safety.audit.record(
            "gc", outcome="done", freed_bytes=sum(i.bytes for i in items), items=len(items)
        )
    return GcReport(items=items, freed_bytes=sum(i.bytes for i in items), dry_run=dry_run)
