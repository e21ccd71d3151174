"""The last status's and the last update's time and the library's size, kept for `doctor`
to hold against the targets (``state/perf.json``, this machine's)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from groundwork.state.atomic import atomic_write_json

__all__ = ["FILES_TARGET", "STATUS_TARGET_MS", "UPDATE_TARGET_MS", "read", "record"]

STATUS_TARGET_MS = 300.0
"""A read command's whole run; the status inside it must be well below."""
UPDATE_TARGET_MS = 30_000.0
"""The plan's target for `library update`."""
FILES_TARGET = 10_000
"""The library size ai-config is measured at (its benchmark's)."""


def _file(home: Path) -> Path:
    return home / "state" / "perf.json"


def read(home: Path) -> dict[str, Any]:
    try:
        data = json.loads(_file(home).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(home: Path, kind: str, elapsed_ms: float, **figures: int) -> None:
    """Keep the latest ``kind`` (``status``, ``update``) run's time, and figures beside it."""
    data = read(home)
    data[kind] = {
        "ms": round(elapsed_ms, 1),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **figures,
    }
    atomic_write_json(_file(home), data)
