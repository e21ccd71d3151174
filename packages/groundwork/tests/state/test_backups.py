from __future__ import annotations

from pathlib import Path

import pytest

from groundwork.errors import ToolError
from groundwork.state import BackupStore, Migration, open_database


def test_a_folder_snapshot_restores_and_the_restore_can_be_undone(tmp_path: Path) -> None:
    library = tmp_path / "library"
    (library / "roles").mkdir(parents=True)
    (library / "roles" / "dev.md").write_text("original")
    store = BackupStore(tmp_path / "backups")
    before = store.snapshot(library, reason="before update")
    (library / "roles" / "dev.md").write_text("changed")
    (library / "new.md").write_text("new")

    safety = store.restore(before.id)

    assert (library / "roles" / "dev.md").read_text() == "original"
    assert not (library / "new.md").exists()
    assert safety is not None
    assert safety.reason == f"before restoring {before.id}"
    store.restore(safety.id)
    assert (library / "roles" / "dev.md").read_text() == "changed"
    assert [b.id for b in store.list(library)][-1] == before.id


def test_a_live_database_is_copied_consistently(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    conn = open_database(path, [Migration(1, "t", "CREATE TABLE t (x INT);")])
    conn.execute("INSERT INTO t VALUES (1)")
    store = BackupStore(tmp_path / "backups")
    backup = store.snapshot(path, reason="before delete")
    conn.execute("DELETE FROM t")
    conn.close()
    assert backup.kind == "sqlite"
    store.restore(backup.id)
    conn = open_database(path, [Migration(1, "t", "CREATE TABLE t (x INT);")])
    assert conn.execute("SELECT x FROM t").fetchall()[0][0] == 1


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    store = BackupStore(tmp_path / "backups")
    for i in range(5):
        note.write_text(str(i))
        store.snapshot(note, reason=f"edit {i}")
    removed = store.prune(keep=2)
    assert len(removed) == 3
    assert [b.reason for b in store.list()] == ["edit 4", "edit 3"]


def test_unknown_backup_ids_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ToolError) as missing:
        BackupStore(tmp_path / "backups").restore("nope")
    assert missing.value.code == "GROUNDWORK_BACKUP_NOT_FOUND"
