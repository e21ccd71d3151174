"""SQLite set up the way every tool wants it: WAL, foreign keys, a busy timeout, migrations.

Migrations are numbered; each runs once, in its own transaction, and is recorded in
``schema_version``. A database written by a newer release is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir

__all__ = ["Migration", "open_database"]


@dataclass(frozen=True)
class Migration:
    """One step of a schema: SQL text, or a function for steps SQL alone can't express."""

    version: int
    name: str
    apply: str | Callable[[sqlite3.Connection], None]


def open_database(
    path: Path,
    migrations: Sequence[Migration] = (),
    *,
    busy_timeout_ms: int = 5000,
    check_same_thread: bool = True,
) -> sqlite3.Connection:
    """Open (creating if needed) a database and bring its schema up to the newest migration."""
    _check_order(migrations)
    private_dir(path.parent)  # a tool's state: its folder is the owner's alone, like the file
    try:
        conn = sqlite3.connect(
            path,
            timeout=busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=check_same_thread,
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        raise ToolError(
            "GROUNDWORK_DATABASE_UNREADABLE",
            f"Could not open the database {path}: {exc}.",
            suggestions=[
                "Check that the file is a SQLite database and that you can write to its folder.",
                "Restore it from a backup if it was damaged.",
            ],
            context={"path": str(path)},
            exit_code=ExitCode.FAILURE,
        ) from exc
    path.chmod(0o600)
    _migrate(conn, path, migrations)
    return conn


def _check_order(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise ValueError(f"migrations must be numbered 1, 2, ... without repeats: {versions}")


def _migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration]) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    current = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
    newest = migrations[-1].version if migrations else 0
    if current > newest:
        raise ToolError(
            "GROUNDWORK_DATABASE_TOO_NEW",
            f"The database {path} has schema version {current}, newer than this release knows"
            f" ({newest}).",
            suggestions=[
                "Upgrade the tool to the release that wrote this database.",
                "Or restore a backup taken before the upgrade.",
            ],
            context={"path": str(path), "schema_version": current, "known": newest},
            exit_code=ExitCode.CONFLICT,
        )
    for migration in migrations:
        if migration.version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if isinstance(migration.apply, str):
                for statement in _statements(migration.apply):
                    conn.execute(statement)
            else:
                migration.apply(conn)
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a script into complete statements so they run inside our transaction.

    ``executescript`` would commit first, which would make a failed migration half-applied.
    """
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
