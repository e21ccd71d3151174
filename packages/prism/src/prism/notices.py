"""Notices from prismd to whoever runs the next prism command: a budget alert, an idle warning,
a workstation an idle policy stopped. prismd appends them to ``<state>/notices.jsonl``; the CLI
prints them on stderr at its next start and empties the file. Both hold the file's lock, so a
notice written while the CLI reads is kept for the command after.

Standard library only: every command, ``--version`` included, checks the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

__all__ = ["post", "show_pending", "take"]

FILE_NAME = "notices.jsonl"


@contextlib.contextmanager
def _locked(path: Path, mode: str) -> Iterator[IO[str]]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | (os.O_APPEND if mode == "a" else 0), 0o600)
    with os.fdopen(descriptor, "a" if mode == "a" else "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def post(home: Path, at: datetime, text: str) -> None:
    with _locked(home / FILE_NAME, "a") as handle:
        handle.write(json.dumps({"at": at.isoformat(), "text": text}) + "\n")


def take(home: Path) -> list[tuple[str, str]]:
    """The notices waiting, as (time, text), and the file emptied; nothing when there are none."""
    path = home / FILE_NAME
    try:
        if path.stat().st_size == 0:
            return []
    except OSError:
        return []
    with _locked(path, "r+") as handle:
        lines = handle.read().splitlines()
        handle.seek(0)
        handle.truncate()
    found = []
    for line in lines:
        try:
            record = json.loads(line)
            found.append((str(record["at"]), str(record["text"])))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def show_pending(home: Path) -> None:
    """Print waiting notices on stderr (stdout is the command's own)."""
    try:
        waiting = take(home)
    except OSError:
        return  # the command itself will say what is wrong with the state folder
    for at, text in waiting:
        when = at[11:16] if len(at) >= 16 else at
        sys.stderr.write(f"prism notice ({when} UTC): {text}\n")
    if waiting:
        sys.stderr.flush()
