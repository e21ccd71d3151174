"""The audit log: who changed what that matters for security (settings, secrets, the token, the
secrets key, notebook deletions and imports), as JSON lines in a private file, rotated.

The server and the CLI both write it (a flock keeps their lines whole and the rotation single);
`peragus audit` reads it back, newest first. Values are never written, only names.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from groundwork.logs import open_private_log

__all__ = ["AuditAction", "AuditEvent", "AuditFilter", "AuditList", "AuditLog", "audit_log"]

AuditAction = Literal[
    "settings.ai",
    "settings.alerts",
    "secret.set",
    "secret.delete",
    "secret.link",
    "secret.unlink",
    "secrets.rotate_key",
    "secrets.key_moved",
    "token.rotate",
    "notebook.delete",
    "notebook.import",
    "template.save",
]


class AuditFilter(StrEnum):
    """What ``peragus audit --action`` takes: one action, or a family of them (its first word),
    so that a mistyped one is refused rather than matching nothing. (The S105 markers: names of
    actions on secrets and tokens, not secrets.)
    """

    SETTINGS = "settings"
    SETTINGS_AI = "settings.ai"
    SETTINGS_ALERTS = "settings.alerts"
    SECRET = "secret"  # noqa: S105
    SECRET_SET = "secret.set"  # noqa: S105
    SECRET_DELETE = "secret.delete"  # noqa: S105
    SECRET_LINK = "secret.link"  # noqa: S105
    SECRET_UNLINK = "secret.unlink"  # noqa: S105
    SECRETS = "secrets"
    SECRETS_ROTATE_KEY = "secrets.rotate_key"
    SECRETS_KEY_MOVED = "secrets.key_moved"
    TOKEN = "token"  # noqa: S105
    TOKEN_ROTATE = "token.rotate"  # noqa: S105
    NOTEBOOK = "notebook"
    NOTEBOOK_DELETE = "notebook.delete"
    NOTEBOOK_IMPORT = "notebook.import"
    TEMPLATE = "template"
    TEMPLATE_SAVE = "template.save"


MAX_BYTES = 1024 * 1024
BACKUPS = 5


class AuditEvent(BaseModel):
    at: str = Field(description="UTC, ISO 8601.")
    action: AuditAction
    target: str | None = Field(default=None, description="The secret, notebook... acted on.")
    via: Literal["api", "cli"]
    pid: int
    trace_id: str | None = Field(default=None, description="The request's W3C trace id.")
    detail: dict[str, str] = Field(default_factory=dict)


class AuditList(BaseModel):
    events: list[AuditEvent] = Field(description="Newest first.")
    file: str


class AuditLog:
    def __init__(self, path: Path, *, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock, open_private_log(self.path.with_suffix(".lock")) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def record(
        self,
        action: AuditAction,
        target: str | None = None,
        *,
        via: Literal["api", "cli"],
        trace_id: str | None = None,
        **detail: str,
    ) -> AuditEvent:
        event = AuditEvent(
            at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            action=action,
            target=target,
            via=via,
            pid=os.getpid(),
            trace_id=trace_id,
            detail=detail,
        )
        line = event.model_dump_json() + "\n"
        with self._locked():
            if self.path.exists() and self.path.stat().st_size + len(line) > self.max_bytes:
                self._rotate()
            with open_private_log(self.path) as log:
                log.write(line)
        return event

    def _rotate(self) -> None:
        for n in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))

    def files(self) -> list[Path]:
        """The current file and its rotations, newest first."""
        rotated = [self.path.with_name(f"{self.path.name}.{n}") for n in range(1, self.backups + 1)]
        return [p for p in (self.path, *rotated) if p.exists()]

    def read(self, limit: int = 50, action: str | None = None) -> list[AuditEvent]:
        """Newest first; a line that is not an event (a torn write) is skipped."""
        found: list[AuditEvent] = []
        for file in self.files():
            for line in reversed(file.read_text(encoding="utf-8").splitlines()):
                try:
                    event = AuditEvent.model_validate(json.loads(line))
                except (ValueError, ValidationError):
                    continue
                if (
                    action is None
                    or event.action == action
                    or event.action.startswith(f"{action}.")
                ):
                    found.append(event)
                    if len(found) >= limit:
                        return found
        return found


def audit_log(home: Path) -> AuditLog:
    return AuditLog(home / "logs" / "audit.jsonl")
