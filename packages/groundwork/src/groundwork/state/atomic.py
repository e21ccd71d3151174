"""Writes that leave either the old file or the new one, never a torn mix.

The data goes to a temporary file in the same folder, is flushed and fsynced, then renamed over
the target; the folder is fsynced too so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "atomic_write_json", "atomic_write_text"]


def atomic_write(path: Path, data: bytes, *, private: bool = False, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; ``private`` makes it 0600 before data lands.

    ``durable=False`` leaves out the fsyncs: a reader (or a crash of the process) still sees
    the old file or the new one, but a power cut may lose the new one. For files made again
    from elsewhere in one command (exports), where the fsyncs were most of the time.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if private else _mode_for(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            if durable:
                os.fsync(tmp.fileno())
        Path(tmp_name).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp_name).unlink()
        raise
    if durable:
        _fsync_dir(path.parent)


def atomic_write_text(
    path: Path, text: str, *, private: bool = False, durable: bool = True
) -> None:
    atomic_write(path, text.encode("utf-8"), private=private, durable=durable)


def atomic_write_json(path: Path, data: Any, *, private: bool = False) -> None:
    text = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write_text(path, text, private=private)


def _mode_for(path: Path) -> int:
    """Keep an existing file's mode; new files get 0644 less the umask, like ``open`` would."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
