"""Workstations in SQLite: the record, every state change (what cost is counted from), and how
long each launch stage took (what the next launch's ETA is learnt from).
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.state import Migration, open_database
from prism.clock import Clock, SystemClock
from prism.records import SCHEMA, Records
from prism.workstations.model import Workstation, WorkstationState

__all__ = ["StateChange", "WorkstationStore"]

MIGRATIONS = [
    Migration(
        1,
        "workstations",
        """
        CREATE TABLE workstations (
            name TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE TABLE state_changes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX state_changes_name ON state_changes(name, at);
        CREATE TABLE stage_durations (
            template TEXT NOT NULL,
            stage TEXT NOT NULL,
            seconds REAL NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX stage_durations_template ON stage_durations(template, stage, at);
        """,
    ),
    Migration(2, "records and events", SCHEMA),
]

StateChange = tuple[WorkstationState, datetime]


class WorkstationStore:
    """Thread-safe: the daemon's request handlers, launch workers and background checks share
    one store. Every time it writes comes from ``clock``.
    """

    def __init__(self, path: Path, clock: Clock | None = None) -> None:
        self._db = open_database(path, MIGRATIONS, check_same_thread=False)
        self._lock = threading.Lock()
        self._version = 0
        self.clock = clock or SystemClock()
        self.records = Records(self._db, self._lock, self.clock)
        # Told of every saved record and its previous state (prismd's live events), after the
        # write and outside the lock.
        self.listeners: builtins.list[Callable[[Workstation, WorkstationState | None], None]] = []

    @property
    def version(self) -> int:
        """Counts the writes of records: what was read at one version is current while it holds."""
        return self._version

    def close(self) -> None:
        self._db.close()

    def get(self, name: str) -> Workstation | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM workstations WHERE name = ?", (name,)
            ).fetchone()
        return Workstation.model_validate_json(row["data"]) if row else None

    def require(self, name: str) -> Workstation:
        found = self.get(name)
        if found is None or found.state is WorkstationState.DELETED:
            names = [w.name for w in self.list()]
            close = [n for n in names if n.startswith(name[:3])] if name else []
            raise ToolError(
                "PRISM_WORKSTATION_NOT_FOUND",
                f"No workstation named {name!r}.",
                suggestions=[
                    f"Did you mean {', '.join(close)}?" if close else "See them: prism list",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def list(self, *, include_deleted: bool = False) -> builtins.list[Workstation]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM workstations ORDER BY name").fetchall()
        found = [Workstation.model_validate_json(r["data"]) for r in rows]
        if include_deleted:
            return found
        return [w for w in found if w.state is not WorkstationState.DELETED]

    def create(self, workstation: Workstation) -> None:
        """Insert a new record; a live workstation of the same name is a conflict."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute(
                    "SELECT state FROM workstations WHERE name = ?", (workstation.name,)
                ).fetchone()
                if row and row["state"] not in (WorkstationState.DELETED, WorkstationState.FAILED):
                    raise ToolError(
                        "PRISM_WORKSTATION_EXISTS",
                        f"A workstation named {workstation.name!r} exists already"
                        f" ({row['state']}).",
                        suggestions=[
                            "Choose another name,",
                            f"or delete it first: prism delete {workstation.name}",
                        ],
                        exit_code=ExitCode.CONFLICT,
                    )
                self._db.execute(
                    "INSERT OR REPLACE INTO workstations (name, state, data) VALUES (?, ?, ?)",
                    (workstation.name, workstation.state, workstation.model_dump_json()),
                )
                self._record(workstation.name, workstation.state)
                self._db.execute("COMMIT")
                self._version += 1
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self._tell(workstation, None)

    def save(self, workstation: Workstation) -> Workstation:
        """Store the new record; a state change is logged with its time."""
        self._save(workstation, if_state=None)
        return workstation

    def save_if(self, workstation: Workstation, state: WorkstationState) -> bool:
        """Store it only while the stored record is still in ``state``: a reconcile that read
        the record before a delete must not bring it back. False when not stored.
        """
        return self._save(workstation, if_state=state)

    def _save(self, workstation: Workstation, *, if_state: WorkstationState | None) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM workstations WHERE name = ?", (workstation.name,)
            ).fetchone()
            if if_state is not None and (row is None or row["state"] != if_state):
                return False
            workstation.updated_at = self.clock.now()
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO workstations (name, state, data) VALUES (?, ?, ?)",
                (workstation.name, workstation.state, workstation.model_dump_json()),
            )
            if row is None or row["state"] != workstation.state:
                self._record(workstation.name, workstation.state)
            self._db.execute("COMMIT")
            self._version += 1
        self._tell(workstation, WorkstationState(row["state"]) if row else None)
        return True

    def _tell(self, workstation: Workstation, previous: WorkstationState | None) -> None:
        for listener in self.listeners:
            listener(workstation.model_copy(deep=True), previous)

    def history(self, name: str) -> builtins.list[StateChange]:
        with self._lock:
            rows = self._db.execute(
                "SELECT state, at FROM state_changes WHERE name = ? ORDER BY id", (name,)
            ).fetchall()
        return [(WorkstationState(r["state"]), datetime.fromisoformat(r["at"])) for r in rows]

    def record_durations(self, template: str, durations: Mapping[str, float]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT INTO stage_durations (template, stage, seconds, at) VALUES (?, ?, ?, ?)",
                [(template, s, d, self.clock.now().isoformat()) for s, d in durations.items()],
            )

    def typical_durations(self, template: str, *, last: int = 5) -> dict[str, float]:
        """Median-ish stage durations of the last launches of a template (mean of the last N)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT stage, seconds FROM stage_durations WHERE template = ? ORDER BY at DESC",
                (template,),
            ).fetchall()
        seen: dict[str, list[float]] = {}
        for row in rows:
            seen.setdefault(row["stage"], [])
            if len(seen[row["stage"]]) < last:
                seen[row["stage"]].append(row["seconds"])
        return {stage: sum(v) / len(v) for stage, v in seen.items()}

    def _record(self, name: str, state: str) -> None:
        self._db.execute(
            "INSERT INTO state_changes (name, state, at) VALUES (?, ?, ?)",
            (name, str(state), self.clock.now().isoformat()),
        )
