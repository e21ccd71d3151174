"""Structured JSON logs with rotation, and a redactor that keeps secrets out of them.

Logs go through structlog into stdlib logging, so uvicorn's and boto's records land in the same
rotated JSON-lines file with the same request id and the same redaction.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import stat
import threading
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any, TextIO

from groundwork.paths import private_dir

__all__ = [
    "REDACTED",
    "Redactor",
    "configure_logging",
    "get_logger",
    "log_to_file_on_first_use",
    "open_private_log",
    "redactor",
]

REDACTED = "***"

_SENSITIVE_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|authorization|credential|private[_-]?key|cookie)",
    re.IGNORECASE,
)
_MIN_SECRET_LENGTH = 4


class Redactor:
    """A structlog processor that hides known secret values and sensitive-looking fields.

    Values are registered when a secret is created or decrypted, so even a secret that ends up
    inside a free-text message (an exception string, a command line) is replaced.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, *values: str) -> None:
        with self._lock:
            self._values.update(v for v in values if v and len(v) >= _MIN_SECRET_LENGTH)
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None

    def redact_text(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(REDACTED, text) if pattern else text

    def redact(self, value: Any, key: str | None = None) -> Any:
        if key is not None and _SENSITIVE_KEY.search(key) and isinstance(value, str | bytes):
            return REDACTED
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, MutableMapping):
            return {k: self.redact(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value

    def __call__(
        self, _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event_dict):
            event_dict[key] = self.redact(event_dict[key], None if key == "event" else key)
        return event_dict


redactor = Redactor()
"""The process-wide redactor; :mod:`groundwork.secrets` registers every secret it handles."""


def _shared_processors() -> list[Any]:
    import structlog

    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redactor,
    ]


def open_private_log(path: Path, encoding: str = "utf-8", errors: str | None = None) -> TextIO:
    """Open a log for appending so that it and its folder are the owner's alone (0600 in 0700):
    logs name paths, users, addresses and the commands people ran.
    """
    private_dir(path.parent)
    if stat.S_IMODE(path.parent.stat().st_mode) & 0o077:
        path.parent.chmod(0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "a", encoding=encoding, errors=errors)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens, the first and each one after a rotation, is private."""

    def _open(self) -> Any:
        return open_private_log(Path(self.baseFilename), self.encoding or "utf-8", self.errors)


def configure_logging(
    log_file: Path | None = None,
    *,
    level: int = logging.INFO,
    max_bytes: int = 5 * 1024 * 1024,
    backups: int = 5,
    extra_processors: Iterable[Any] = (),
) -> None:
    """Send every log record, ours and third-party, to ``log_file`` as JSON lines.

    With no file, records go to stderr as JSON (what a service under a supervisor wants).
    Calling it again replaces the previous handlers, so tests can point logs at a temp folder.
    """
    import structlog

    shared = [*_shared_processors(), *extra_processors]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler: logging.Handler
    if log_file is not None:
        handler = _PrivateRotatingFileHandler(
            log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(formatter)

    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lib_logger = logging.getLogger(name)
        lib_logger.handlers.clear()
        lib_logger.propagate = True

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


class _DeferredLogger:
    """Stands in for a structlog logger until the first log call.

    Modules create their logger at import time; deferring structlog's import (about 150 ms)
    to the first record keeps every CLI's start-up fast when it logs nothing.
    """

    def __init__(self, name: str | None) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, method: str) -> Any:
        if self._logger is None:
            import structlog

            if not structlog.is_configured() and _first_use_file is not None:
                configure_logging(_first_use_file)
            self._logger = structlog.get_logger(self._name)
        return getattr(self._logger, method)


_first_use_file: Path | None = None


def log_to_file_on_first_use(path: Path) -> None:
    """Send logs to ``path`` once something logs: CLIs log rarely, and should not print logs
    among their output nor pay for setting logging up when they log nothing.
    """
    global _first_use_file
    _first_use_file = path


def get_logger(name: str | None = None) -> Any:
    return _DeferredLogger(name)
