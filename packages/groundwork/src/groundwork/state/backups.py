"""Snapshots taken before anything destructive, so every destructive operation can be undone.

A snapshot copies a file, a folder or a live SQLite database (through SQLite's backup API, so a
database in use is copied consistently) into ``<root>/<id>/``, with a ``backup.json`` beside it.
Restoring takes a snapshot of the current state first, so a restore can be undone too.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import secrets
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write_json

__all__ = ["Backup", "BackupStore"]

Kind = Literal["file", "folder", "sqlite"]
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Backup:
    id: str
    source: str
    kind: Kind
    reason: str
    created_at: str
    size_bytes: int

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


class BackupStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def snapshot(self, source: Path, *, reason: str) -> Backup:
        """Copy ``source`` aside; ``reason`` is what the user will see when choosing one."""
        source = source.resolve()
        if not source.exists():
            raise ToolError(
                "GROUNDWORK_BACKUP_SOURCE_MISSING",
                f"Nothing to back up: {source} does not exist.",
                suggestions=["Check the path; a backup is only needed for something that exists."],
                exit_code=ExitCode.NOT_FOUND,
            )
        now = datetime.now(UTC)
        backup_id = f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
        folder = private_dir(self.root) / backup_id
        folder.mkdir(mode=0o700)
        data = folder / "data"
        kind: Kind
        if source.is_dir():
            kind = "folder"
            shutil.copytree(source, data, symlinks=True)
        elif _is_sqlite(source):
            kind = "sqlite"
            _copy_sqlite(source, data)
        else:
            kind = "file"
            shutil.copy2(source, data)
        backup = Backup(
            id=backup_id,
            source=str(source),
            kind=kind,
            reason=reason,
            created_at=now.isoformat(),
            size_bytes=_size(data),
        )
        atomic_write_json(folder / "backup.json", asdict(backup), private=True)
        return backup

    def list(self, source: Path | None = None) -> list[Backup]:
        """Backups, newest first; only those of ``source`` when given."""
        if not self.root.is_dir():
            return []
        found = []
        for meta in self.root.glob("*/backup.json"):
            try:
                backup = Backup(**_read_json(meta))
            except (ValueError, TypeError):
                continue
            if source is None or backup.source == str(source.resolve()):
                found.append(backup)
        return sorted(found, key=lambda b: b.id, reverse=True)

    def get(self, backup_id: str) -> Backup:
        for backup in self.list():
            if backup.id == backup_id or backup.id.startswith(backup_id):
                return backup
        raise ToolError(
            "GROUNDWORK_BACKUP_NOT_FOUND",
            f"No backup with id {backup_id!r}.",
            suggestions=["List the backups to see their ids."],
            context={"backups": str(self.root)},
            exit_code=ExitCode.NOT_FOUND,
        )

    def restore(self, backup_id: str) -> Backup | None:
        """Put a backup back in place; returns the safety snapshot of what it replaced, if any."""
        backup = self.get(backup_id)
        target = Path(backup.source)
        data = self.root / backup.id / "data"
        safety = (
            self.snapshot(target, reason=f"before restoring {backup.id}")
            if target.exists()
            else None
        )
        staged = target.with_name(f".{target.name}.restore-{secrets.token_hex(3)}")
        if backup.kind == "folder":
            shutil.copytree(data, staged, symlinks=True)
        else:
            shutil.copy2(data, staged)
        if target.is_dir() and not target.is_symlink():
            retired = target.with_name(f".{target.name}.old-{secrets.token_hex(3)}")
            target.rename(retired)
            staged.rename(target)
            shutil.rmtree(retired)
        else:
            if backup.kind == "sqlite":
                for suffix in ("-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        target.with_name(target.name + suffix).unlink()
            staged.replace(target)
        return safety

    def prune(
        self, *, keep: int = 10, older_than: timedelta | None = None
    ) -> builtins.list[Backup]:
        """Delete all but the newest ``keep`` per source, and any older than ``older_than``."""
        removed = []
        per_source: dict[str, int] = {}
        now = datetime.now(UTC)
        for backup in self.list():
            per_source[backup.source] = per_source.get(backup.source, 0) + 1
            too_many = per_source[backup.source] > keep
            too_old = older_than is not None and now - backup.created > older_than
            if too_many or too_old:
                shutil.rmtree(self.root / backup.id)
                removed.append(backup)
        return removed


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("backup.json is not an object")
    return data
