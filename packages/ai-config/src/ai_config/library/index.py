"""An index of size, mtime and hash per file, so status re-reads only files that changed.

Scanning 10,000 files with scandir and stat takes tens of milliseconds; reading and hashing them
all takes several times that. Like git's index, a file whose size and mtime match the index is
taken as unchanged.

Symlinks: one to a file inside the tree is indexed as that file; one that leads outside (or to a
folder) is never followed, and the scan reports those that leave the tree.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import NamedTuple

from ai_config.sync.copies import is_sync_tool_file
from groundwork.state.atomic import atomic_write_json

__all__ = ["FileState", "Scan", "TreeIndex"]

CONFLICT_MARKER = b"\n<<<<<<< "
_NOT_LIBRARY = frozenset((".git", ".ai-config"))
"""git's folder, and ai-config's own files beside the personal ones (fork records, the lock)."""


class FileState(NamedTuple):
    """A tuple, not a dataclass: a 10,000-file index makes 10,000 of them on every load.

    ``sha256`` is a digest of the content (the git blob id, for a git scan of a file as
    committed); ``size`` is -1 where a git scan did not need to look at the file.
    """

    size: int
    mtime_ns: int
    sha256: str
    conflict: bool


@dataclass
class Scan:
    files: dict[str, FileState]
    reread: int
    outside: dict[str, str] = field(default_factory=dict)
    """Symlinks that lead outside the tree: their path, and where they lead."""
    status_text: str = ""
    """For a scan made by git (:mod:`ai_config.library.gitscan`): `git status`'s answer."""


def _walk(root: Path) -> tuple[dict[str, os.stat_result], dict[str, str]]:
    """Every file under ``root`` with its lstat (one stat call per entry, nothing else: this
    loop is most of a warm status), and the symlinks that lead outside it."""
    found: dict[str, os.stat_result] = {}
    outside: dict[str, str] = {}
    real_root = os.path.realpath(root)
    inside = real_root + os.sep
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = entry.name
            if name in _NOT_LIBRARY or (name[0] == "." and is_sync_tool_file(name)):
                continue
            st = entry.stat(follow_symlinks=False)
            mode = st.st_mode
            if S_ISREG(mode):
                found[prefix + name] = st
            elif S_ISDIR(mode):
                stack.append((entry.path, f"{prefix}{name}/"))
            elif S_ISLNK(mode):
                real = os.path.realpath(entry.path)
                if real != real_root and not real.startswith(inside):
                    outside[prefix + name] = real
                elif Path(real).is_file():
                    found[prefix + name] = Path(real).stat()
    return found, outside


class TreeIndex:
    def __init__(self, root: Path, index_file: Path) -> None:
        self.root = root
        self.index_file = index_file

    def scan(self) -> Scan:
        """Every file's state, and how many files had to be read (0 on a warm, unchanged tree)."""
        old = self._load()
        now: dict[str, FileState] = {}
        reread = 0
        stats, outside = _walk(self.root)
        for rel, st in stats.items():
            known = old.get(rel)
            if known and known.size == st.st_size and known.mtime_ns == st.st_mtime_ns:
                now[rel] = known
                continue
            data = (self.root / rel).read_bytes()
            reread += 1
            now[rel] = FileState(
                st.st_size,
                st.st_mtime_ns,
                hashlib.sha256(data).hexdigest(),
                data.startswith(b"<<<<<<< ") or CONFLICT_MARKER in data,
            )
        if reread or len(now) != len(old):
            atomic_write_json(
                self.index_file,
                {rel: [s.size, s.mtime_ns, s.sha256, s.conflict] for rel, s in now.items()},
            )
        return Scan(now, reread, outside)

    def _load(self) -> dict[str, FileState]:
        try:
            raw = json.loads(self.index_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        make = FileState._make
        return {rel: make(values) for rel, values in raw.items()}
