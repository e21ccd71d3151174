"""What an export reports, per agent and file: the same model for an export, a dry run, a check
and a revert (light to import: `library status` shows stale exports without the export code)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ai_config.exports.names import ExportTarget
from ai_config.results import Result

__all__ = ["ExportState", "ExportedFile"]

ExportState = Literal[
    "written", "unchanged", "would-write", "edited", "stale", "missing", "holds-secret", "reverted"
]


class ExportedFile(Result):
    """One agent's part of one file, and how it stands."""

    agent: str
    target: ExportTarget
    path: str
    state: ExportState = Field(
        description="written or unchanged by this export (would-write with --dry-run); stale"
        " (the library moved on), edited (changed by hand), missing (deleted) or holds-secret (a"
        " project file with a secret's value) when checked; reverted by --revert"
    )
    diff: str | None = Field(default=None, description="With --dry-run: what would change")
    warnings: list[str] = Field(default_factory=list)
