"""The audit log: every shared-resource action, with who, what, when, from where and whether
prismd let it happen. One JSON line each in ``audit.jsonl`` (0600), appended, never rewritten.

A full log is set aside under a dated name rather than truncated: an audit trail is evidence,
so nothing in it is ever deleted by prism, and reading stays fast because the newest entries
sit in the small current file.
"""

from __future__ import annotations

import builtins
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from prism.team.model import AuditEntry

__all__ = ["AuditLog"]

ROTATE_BYTES = 8 * 1024 * 1024


class AuditLog:
    def __init__(self, path: Path, *, rotate_bytes: int = ROTATE_BYTES) -> None:
        self.path = path
        self.rotate_bytes = rotate_bytes
        self._lock = threading.Lock()

    def write(self, entry: AuditEntry) -> None:
        line = (entry.model_dump_json() + "\n").encode()
        with self._lock:
            self._rotate_if_full(len(line))
            descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, self._after_torn_line(descriptor) + line)
            finally:
                os.close(descriptor)

    @staticmethod
    def _after_torn_line(descriptor: int) -> bytes:
        """A newline when a crash left the last line unfinished, so the torn line stays alone
        and this entry is not glued to it (and lost with it).
        """
        size = os.fstat(descriptor).st_size
        return b"\n" if size and os.pread(descriptor, 1, size - 1) != b"\n" else b""

    def _rotate_if_full(self, adding: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + adding <= self.rotate_bytes:
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path.rename(self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}"))

    def files(self) -> builtins.list[Path]:
        """The current file, then the set-aside ones, newest first."""
        aside = sorted(self.path.parent.glob(f"{self.path.stem}-*{self.path.suffix}"), reverse=True)
        return [self.path, *aside]

    def read(self, *, project: str | None = None, last: int = 100) -> builtins.list[AuditEntry]:
        """The newest first, across set-aside files; a torn line (a crash mid-write) is skipped."""
        found: list[AuditEntry] = []
        for path in self.files():
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                continue
            for line in reversed(lines):
                try:
                    entry = AuditEntry.model_validate(json.loads(line))
                except ValueError:
                    continue
                if project is None or entry.project == project:
                    found.append(entry)
                    if len(found) >= last:
                        return found
        return found
