"""The export runs `agent export --revert` can undo: for each file a run changed, its backup
(or that it did not exist before) and the export records it had.

``state/export-runs.json`` keeps the last :data:`KEEP` runs, newest last; each revert undoes the
newest and forgets it, so reverting again goes one run further back.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_config.exports.records import ExportRecord
from groundwork.state.atomic import atomic_write_json

__all__ = ["ExportRun", "ExportRuns", "RunFile"]

KEEP = 20


@dataclass(frozen=True)
class RunFile:
    path: str
    backup: str | None
    existed: bool
    records: list[ExportRecord] = field(default_factory=list)


@dataclass(frozen=True)
class ExportRun:
    id: str
    at: str
    files: list[RunFile]


class ExportRuns:
    def __init__(self, home: Path) -> None:
        self.file = home / "state" / "export-runs.json"

    def load(self) -> list[ExportRun]:
        try:
            raw: list[dict[str, Any]] = json.loads(self.file.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return []
        return [
            ExportRun(
                id=run["id"],
                at=run["at"],
                files=[
                    RunFile(
                        path=f["path"],
                        backup=f["backup"],
                        existed=f["existed"],
                        records=[ExportRecord(**r) for r in f["records"]],
                    )
                    for f in run["files"]
                ],
            )
            for run in raw
        ]

    def _save(self, runs: list[ExportRun]) -> None:
        atomic_write_json(self.file, [asdict(run) for run in runs[-KEEP:]])

    def push(self, files: list[RunFile]) -> ExportRun:
        now = datetime.now(UTC)
        run = ExportRun(f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}", now.isoformat(), files)
        self._save([*self.load(), run])
        return run

    def pop(self) -> ExportRun | None:
        runs = self.load()
        if not runs:
            return None
        self._save(runs[:-1])
        return runs[-1]
