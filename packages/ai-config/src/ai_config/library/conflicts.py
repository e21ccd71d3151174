"""Conflicts an update left, remembered until `library resolve` (or `forget`) settles them.

A text conflict lives in the file itself (git's markers); a binary one cannot, so the upstream
version is kept beside the user's file (:func:`upstream_copy_path`). Either way the record keeps
what `resolve --ours` and `--theirs` need: the user's bytes before the merge (a blob in the
personal repository) and the upstream revision.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from groundwork.state.atomic import atomic_write_json

__all__ = ["Conflict", "ConflictRecords"]


@dataclass(frozen=True)
class Conflict:
    kind: Literal["text", "binary"]
    ours: str
    """The personal file's blob id before the merge (stored in the personal repository)."""
    theirs: str
    """The upstream revision whose version conflicted."""
    copy: str | None = None
    """For a binary conflict: the library path of upstream's version, beside the user's."""
    base_blob: str | None = None
    """The common version both sides changed (a blob in the personal repository)."""
    theirs_blob: str | None = None
    """The other side's bytes (a blob in the personal repository): upstream's for an update,
    the other machine's for a sync tool's conflict copy (which has no upstream revision)."""


class ConflictRecords:
    def __init__(self, file: Path) -> None:
        self.file = file

    def load(self) -> dict[str, Conflict]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {rel: Conflict(**entry) for rel, entry in raw.items()}

    def save(self, records: dict[str, Conflict]) -> None:
        atomic_write_json(self.file, {rel: asdict(c) for rel, c in sorted(records.items())})

    def copies(self) -> set[str]:
        """Upstream copies kept beside binary conflicts: not library files of their own."""
        return {c.copy for c in self.load().values() if c.copy}
