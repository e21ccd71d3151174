"""State on disk that survives crashes: atomic files, SQLite with migrations, and backups."""

from groundwork.state.atomic import atomic_write, atomic_write_json, atomic_write_text
from groundwork.state.backups import Backup, BackupStore
from groundwork.state.database import Migration, open_database

__all__ = [
    "Backup",
    "BackupStore",
    "Migration",
    "atomic_write",
    "atomic_write_json",
    "atomic_write_text",
    "open_database",
]
