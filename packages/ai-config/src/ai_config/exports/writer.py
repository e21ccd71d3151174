"""Writing exports safely, chezmoi-style: ai-config records the hash of every file it writes, so
a file the user edited since (its hash differs) is not overwritten without asking, and
`--check` can tell which exports are stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from ai_config.exports.names import ExportTarget
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json, atomic_write_text

__all__ = ["ExportRecords", "ExportState", "ExportedFile", "Output"]

ExportState = Literal["written", "unchanged", "edited", "stale", "missing"]


@dataclass(frozen=True)
class Output:
    """A file an export would write: where, and exactly what."""

    path: Path
    text: str


class ExportedFile(Result):
    """One file of one agent's export, and how it stands."""

    agent: str
    target: ExportTarget
    path: str
    state: ExportState = Field(
        description="written or unchanged by this export; stale (the library moved on),"
        " edited (changed by hand) or missing (deleted) when checked"
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ExportRecords:
    def __init__(self, home: Path) -> None:
        self.file = home / "state" / "exports.json"

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            data: dict[str, dict[str, Any]] = json.loads(self.file.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def check(self, output: Output) -> ExportState:
        """How the file on disk compares with what an export would write now."""
        if not output.path.exists():
            return "missing"
        on_disk = _sha(output.path.read_text(encoding="utf-8"))
        if on_disk == _sha(output.text):
            return "unchanged"
        recorded = self.load().get(str(output.path), {}).get("sha256")
        return "stale" if recorded == on_disk else "edited"

    def write(
        self,
        outputs: list[Output],
        *,
        agent: str,
        target: ExportTarget,
        dest: Path | None,
        force: bool,
    ) -> list[ExportedFile]:
        records = self.load()
        edited = [o for o in outputs if self.check(o) == "edited"]
        if edited and not force:
            raise ToolError(
                "AI_CONFIG_EXPORT_EDITED",
                f"{edited[0].path} was changed by hand since ai-config wrote it.",
                suggestions=[
                    "Keep your edits: move them into the agent or its library files.",
                    "Or overwrite: run the export again with --force.",
                ],
                context={"files": [str(o.path) for o in edited]},
                exit_code=ExitCode.CONFLICT,
            )
        results = []
        for output in outputs:
            state = self.check(output)
            if state != "unchanged":
                output.path.parent.mkdir(parents=True, exist_ok=True)
                private = output.path.suffix == ".json"  # may hold MCP secrets
                atomic_write_text(output.path, output.text, private=private)
            records[str(output.path)] = {
                "agent": agent,
                "target": str(target),
                "dest": str(dest) if dest else None,
                "sha256": _sha(output.text),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            results.append(
                ExportedFile(
                    agent=agent,
                    target=target,
                    path=str(output.path),
                    state="unchanged" if state == "unchanged" else "written",
                )
            )
        atomic_write_json(self.file, records)
        return results
