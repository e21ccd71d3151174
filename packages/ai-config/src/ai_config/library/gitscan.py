"""A scan of a library that is a git clone, from git's own index.

The base library (and every added source) is a clone that ai-config keeps clean, so git already
knows each file and its content: `git ls-files -s` lists them with their blob ids (a few
milliseconds for 10,000 files), and `git status` names the few that differ from it, which alone
are read and hashed. Walking and stat-ing 10,000 files in Python costs several times as much.
The same `git status` answers where the branch is (:func:`branch_state`), so a status runs it
once.

A file's ``sha256`` is then its git blob id when it is as committed, else the SHA-256 of its
bytes: either way the same content gives the same digest, run after run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ai_config.library.git import BranchState, Git
from ai_config.library.index import CONFLICT_MARKER, FileState, Scan

__all__ = ["blob_sizes", "branch_state", "git_scan"]


def _status(git: Git) -> str:
    return git.run("status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all").stdout


def branch_state(status_text: str) -> BranchState:
    """Head, upstream, ahead/behind and cleanliness, from `git status --porcelain=v2 -z`."""
    head, upstream, ahead, behind, clean = "", None, 0, 0, True
    for record in status_text.split("\0"):
        if record.startswith("# branch.oid "):
            head = record.removeprefix("# branch.oid ")
        elif record.startswith("# branch.upstream "):
            upstream = record.removeprefix("# branch.upstream ")
        elif record.startswith("# branch.ab "):
            plus, minus = record.removeprefix("# branch.ab ").split()
            ahead, behind = int(plus), -int(minus)
        elif record and not record.startswith("#"):
            clean = False
    return BranchState(head, upstream, ahead, behind, clean)


def _dirty(status_text: str) -> set[str]:
    """Paths whose working file differs from git's index (changed, added, untracked, ...)."""
    records = status_text.split("\0")
    found: set[str] = set()
    at = 0
    while at < len(records):
        record = records[at]
        at += 1
        if not record or record.startswith("#"):
            continue
        kind = record[0]
        if kind == "1":
            found.add(record.split(" ", 8)[8])
        elif kind == "2":  # a rename: the new path, then the old one in the next record
            found.add(record.split(" ", 9)[9])
            found.add(records[at])
            at += 1
        elif kind == "u":
            found.add(record.split(" ", 10)[10])
        elif kind in "?!":
            found.add(record[2:])
    return found


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root + os.sep)


def git_scan(root: Path, git: Git) -> Scan:
    """The files of the clone at ``root`` (the scan's ``status_text`` is `git status`'s answer,
    for :func:`branch_state`)."""
    status_text = _status(git)
    listed = git.run("ls-files", "-s", "-z").stdout
    dirty = _dirty(status_text)
    real_root = os.path.realpath(root)
    files: dict[str, FileState] = {}
    outside: dict[str, str] = {}
    links: list[str] = []
    for entry in listed.split("\0"):
        if not entry:
            continue
        meta, _, rel = entry.partition("\t")
        mode, oid, _stage = meta.split(" ")
        if rel in dirty or mode == "160000":  # read below; a submodule is no library file
            continue
        if mode == "120000":
            links.append(rel)
            continue
        files[rel] = FileState(-1, 0, oid, False)
    for rel in links:
        real = os.path.realpath(root / rel)
        if not _inside(real, real_root):
            outside[rel] = real
        elif Path(real).is_file():
            target = Path(real).relative_to(real_root).as_posix()
            files[rel] = files.get(target) or _read(Path(real))
    reread = 0
    for rel in dirty:
        path = root / rel
        if path.is_symlink():
            real = os.path.realpath(path)
            if not _inside(real, real_root):
                outside[rel] = real
                continue
        if path.is_file():
            files[rel] = _read(path)
            reread += 1
    return Scan(files, reread, outside, status_text)


def _read(path: Path) -> FileState:
    data = path.read_bytes()
    st = path.stat()
    conflict = data.startswith(b"<<<<<<< ") or CONFLICT_MARKER in data
    return FileState(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest(), conflict)


def blob_sizes(git: Git, oids: list[str]) -> list[int]:
    """The size of each blob, from one `git cat-file --batch-check`."""
    if not oids:
        return []
    out = git.run("cat-file", "--batch-check=%(objectsize)", input_text="\n".join(oids) + "\n")
    return [int(line) for line in out.stdout.split()]
