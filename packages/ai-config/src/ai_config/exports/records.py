"""What ai-config exported: one record per agent and file, with the hash of the agent's part.

``state/exports.json``::

    {"version": 2, "exports": [{"agent", "target", "dest", "path", "part", "keys", "secrets",
                                "sha256", "at", "inputs", "inputs_sha"}]}

``part`` is ``file``, ``section`` (of a markdown file) or ``keys`` (``mcpServers`` entries of a
JSON file, listed in ``keys``); ``secrets`` is how the export wrote them (``inline`` or
``reference``), so a check renders what the export rendered; ``inputs`` and ``inputs_sha`` let a
check see that nothing the export read has changed without rendering it again. Version 1
(ai-config 0.1) kept one record per path and always the whole file; it is read as that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ai_config.exports.parts import Part
from groundwork.state.atomic import atomic_write_json

__all__ = ["ExportRecord", "ExportRecords", "sha"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ExportRecord:
    agent: str
    target: str
    dest: str | None
    path: str
    part: Part
    sha256: str
    at: str
    keys: list[str] = field(default_factory=list)
    secrets: Literal["inline", "reference"] = "inline"
    inputs: list[str] = field(default_factory=list)
    """The library files the export read (agent, prompt, resources, MCP definitions)."""
    inputs_sha: str = ""
    """A hash of everything the export's output depends on (see ai_config.exports.inputs)."""


class ExportRecords:
    def __init__(self, home: Path) -> None:
        self.file = home / "state" / "exports.json"

    def load(self) -> list[ExportRecord]:
        try:
            data: Any = json.loads(self.file.read_text("utf-8"))
        except FileNotFoundError:
            return []
        if isinstance(data, dict) and data.get("version") == 2:
            return [ExportRecord(**entry) for entry in data.get("exports", [])]
        return [  # version 1: {path: {"agent", "target", "dest", "sha256", "at"}}
            ExportRecord(
                agent=str(entry["agent"]),
                target=str(entry["target"]),
                dest=entry.get("dest"),
                path=path,
                part="file",
                sha256=str(entry["sha256"]),
                at=str(entry.get("at", "")),
            )
            for path, entry in data.items()
        ]

    def save(self, records: list[ExportRecord]) -> None:
        ordered = sorted(records, key=lambda r: (r.path, r.agent))
        atomic_write_json(self.file, {"version": 2, "exports": [asdict(r) for r in ordered]})
