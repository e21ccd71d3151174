"""The audit log: every shared-resource action, with who, what, when, from where and whether
prismd let it happen. One JSON line each in ``audit.jsonl`` (0600), appended, never rewritten.
"""

from __future__ import annotations

import builtins
import json
import os
import threading
from pathlib import Path

from prism.team.model import AuditEntry

__all__ = ["AuditLog"]


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, entry: AuditEntry) -> None:
        line = entry.model_dump_json() + "\n"
        with self._lock:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode())
            finally:
                os.close(descriptor)

    def read(self, *, project: str | None = None, last: int = 100) -> builtins.list[AuditEntry]:
        """The newest first; a torn last line (a crash mid-write) is skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        found: list[AuditEntry] = []
        for line in reversed(lines):
            try:
                entry = AuditEntry.model_validate(json.loads(line))
            except ValueError:
                continue
            if project is None or entry.project == project:
                found.append(entry)
                if len(found) >= last:
                    break
        return found
