from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from groundwork.errors import ToolError
from groundwork.state import Migration, open_database

V1 = Migration(1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")
V2 = Migration(
    2,
    "tags",
    """
    CREATE TABLE tags (item_id INTEGER NOT NULL REFERENCES items(id), tag TEXT);
    CREATE INDEX tags_item ON tags(item_id);
    """,
)


def test_migrations_run_once_and_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    conn = open_database(path, [V1])
    conn.execute("INSERT INTO items (name) VALUES ('a')")
    conn.close()
    conn = open_database(path, [V1, V2])
    versions = [tuple(r) for r in conn.execute("SELECT version, name FROM schema_version")]
    assert versions == [(1, "items"), (2, "tags")]
    assert conn.execute("SELECT name FROM items").fetchone()["name"] == "a"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO tags (item_id, tag) VALUES (99, 'x')")


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_database(path, [V1]).close()
    broken = Migration(2, "broken", "CREATE TABLE fine (x INT);\nCREATE TABLE items (y INT);")
    with pytest.raises(sqlite3.OperationalError):
        open_database(path, [V1, broken])
    conn = open_database(path, [V1])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "fine" not in tables
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_database(path, [V1, V2]).close()
    with pytest.raises(ToolError) as refused:
        open_database(path, [V1])
    assert refused.value.code == "GROUNDWORK_DATABASE_TOO_NEW"
    assert "Upgrade" in refused.value.suggestions[0]


def test_a_file_that_is_not_a_database_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_text("this is not sqlite, it is a note somebody saved here by mistake\n" * 20)
    with pytest.raises(ToolError) as refused:
        open_database(path, [V1])
    assert refused.value.code == "GROUNDWORK_DATABASE_UNREADABLE"
