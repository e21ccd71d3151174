"""Small records that live beside the workstations in prism.db: idle policies and where they
apply, projects, budget alerts, each workstation's idle bookkeeping, the storage ledger, and the
log of what prism did by itself (an idle policy stopped a workstation, a budget was crossed).

Each record is a pydantic model stored as JSON under (kind, key): these are tens of rows, read
whole, never queried by field.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, Field

from prism.clock import Clock

__all__ = ["SCHEMA", "Event", "Records"]

M = TypeVar("M", bound=BaseModel)

SCHEMA = """
CREATE TABLE records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    workstation TEXT,
    project TEXT,
    text TEXT NOT NULL
);
CREATE INDEX events_workstation ON events(workstation, id);
CREATE INDEX events_project ON events(project, id);
"""


class Event(BaseModel):
    """Something prism did or noticed by itself, with its reason in words."""

    at: datetime
    kind: str = Field(
        description="idle-warning, idle-action, budget-alert, budget-action or launch-refused"
    )
    workstation: str | None = None
    project: str | None = None
    text: str


class Records:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock, clock: Clock) -> None:
        self._db = db
        self._lock = lock
        self.clock = clock

    def get(self, kind: str, key: str, model: type[M]) -> M | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return model.model_validate_json(row["data"]) if row else None

    def all(self, kind: str, model: type[M]) -> dict[str, M]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, data FROM records WHERE kind = ? ORDER BY key", (kind,)
            ).fetchall()
        return {r["key"]: model.model_validate_json(r["data"]) for r in rows}

    def put(self, kind: str, key: str, value: BaseModel) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, key, data) VALUES (?, ?, ?)",
                (kind, key, value.model_dump_json()),
            )

    def delete(self, kind: str, key: str) -> bool:
        with self._lock:
            done = self._db.execute(
                "DELETE FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).rowcount
        return bool(done)

    def log(
        self,
        kind: str,
        text: str,
        *,
        workstation: str | None = None,
        project: str | None = None,
    ) -> Event:
        event = Event(
            at=self.clock.now(), kind=kind, workstation=workstation, project=project, text=text
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO events (at, kind, workstation, project, text) VALUES (?, ?, ?, ?, ?)",
                (event.at.isoformat(), kind, workstation, project, text),
            )
        return event

    def events(
        self,
        *,
        workstation: str | None = None,
        project: str | None = None,
        last: int = 20,
    ) -> builtins.list[Event]:
        """The newest events first, of one workstation or one project (or all)."""
        where = ""
        args: tuple[str, ...] = ()
        if workstation is not None:
            where, args = "WHERE workstation = ?", (workstation,)
        elif project is not None:
            where, args = "WHERE project = ?", (project,)
        with self._lock:
            rows = self._db.execute(
                f"SELECT at, kind, workstation, project, text FROM events {where}"  # noqa: S608
                " ORDER BY id DESC LIMIT ?",
                (*args, last),
            ).fetchall()
        return [
            Event(
                at=datetime.fromisoformat(r["at"]),
                kind=r["kind"],
                workstation=r["workstation"],
                project=r["project"],
                text=r["text"],
            )
            for r in rows
        ]
