"""Every change either completes or leaves everything as it was, and is written to the audit log.

A mutating command names what it will touch; those files and folders are snapshotted first
(groundwork's backups), restored if anything fails, and kept so `ai-config backup restore` can
undo the change later.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict

from ai_config.results import Result
from groundwork.state.backups import Backup, BackupStore

if TYPE_CHECKING:
    from ai_config.library.git import Git

__all__ = ["AuditEntry", "AuditLog", "Safety"]

AUDIT_MAX_BYTES = 5 * 1024 * 1024


class AuditEntry(Result):
    """One change: the fixed fields, then whatever the change recorded (paths, revisions,
    ``before`` and ``after`` hashes)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    at: str
    action: str
    outcome: str = "done"


class AuditLog:
    """JSON lines, one per change: what, when, and hashes before and after."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, action: str, **details: Any) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size > AUDIT_MAX_BYTES:
            self.path.replace(self.path.with_suffix(".log.1"))
        entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "action": action, **details}
        with self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, default=str) + "\n")

    def tail(self, count: int = 50) -> list[AuditEntry]:
        return self.entries()[-count:]

    def entries(self) -> list[AuditEntry]:
        """Every change recorded, oldest first (the rotated-out file's too)."""
        found = []
        for path in (self.path.with_suffix(".log.1"), self.path):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                continue
            found += [AuditEntry.model_validate_json(line) for line in lines if line.strip()]
        return found


def tree_hash(path: Path) -> str | None:
    """A hash of a file or of a folder's files (not .git), for before/after in the audit log."""
    if not path.exists():
        return None
    digest = hashlib.sha256()
    files = (
        [path]
        if path.is_file()
        else sorted(
            p for p in path.rglob("*") if p.is_file() and ".git" not in p.relative_to(path).parts
        )
    )
    for file in files:
        digest.update(str(file.relative_to(path.parent)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


class Safety:
    def __init__(self, home: Path) -> None:
        self.backups = BackupStore(home / "backups")
        self.audit = AuditLog(home / "audit.log")

    @contextlib.contextmanager
    def change(
        self,
        action: str,
        touched: Sequence[Path],
        *,
        repo: Git | None = None,
        **details: Any,
    ) -> Iterator[dict[str, str]]:
        """Snapshot exactly what the change will touch (files, not whole folders), undo it all if
        anything fails, and record it in the audit log with the backup ids.

        ``repo`` is a git repository the change commits to: a failure moves its branch back to
        where it was (the working files are put back from the snapshots). Yields the backup id
        of each snapshotted path (by ``str(path)``), for the command to report or keep.
        """
        touched = list(dict.fromkeys(touched))
        before = {str(p): tree_hash(p) for p in touched}
        taken: dict[str, Backup] = {
            str(p): self.backups.snapshot(p, reason=action) for p in touched if p.exists()
        }
        snapshots = list(taken.values())
        created = [p for p in touched if not p.exists()]
        head = repo.head() if repo is not None else None
        ids = [s.id for s in snapshots]
        try:
            yield {path: backup.id for path, backup in taken.items()}
        except BaseException:
            if repo is not None and head is not None:
                repo.run("reset", "-q", head, check=False)
            for snapshot in snapshots:
                self.backups.restore(snapshot.id)
            for path in created:
                _remove(path)
            self.audit.record(action, outcome="rolled back", **details)
            raise
        after = {str(p): tree_hash(p) for p in touched}
        self.audit.record(
            action, outcome="done", before=before, after=after, backups=ids, **details
        )
        self.backups.prune(keep=20)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
