"""Three-way merges of one file, on its bytes.

Text (any encoding: UTF-8, Latin-1, CRLF) goes through `git merge-file` byte for byte, so only
overlapping edits conflict and line endings stay as they are. Binary files (git's test: a NUL
byte in the first 8,000) are never merged line-wise: a change on one side only is taken, a
change on both is a conflict the user resolves.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ai_config.library.git import Git
from groundwork.errors import ToolError

__all__ = ["Merged", "is_binary", "merge_bytes", "upstream_copy_path"]


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]


@dataclass(frozen=True)
class Merged:
    outcome: Literal["clean", "conflict", "binary-conflict"]
    data: bytes
    """What the personal file becomes (for a binary conflict: unchanged, the user's own)."""


def _uses_crlf(data: bytes) -> bool:
    return data.count(b"\r\n") * 2 > data.count(b"\n")


def _same_endings(data: bytes, crlf: bool) -> bytes:
    """``data`` with the line endings the personal file uses: a base saved with LF merges into
    a CRLF copy line by line instead of conflicting on every line."""
    lf = data.replace(b"\r\n", b"\n")
    return lf.replace(b"\n", b"\r\n") if crlf else lf


def merge_bytes(
    git: Git,
    rel: str,
    mine: bytes,
    fork: bytes,
    upstream: bytes,
    *,
    labels: tuple[str, str] = ("base when forked", "upstream"),
) -> Merged:
    """Merge upstream's change (``fork`` -> ``upstream``) into the personal copy ``mine``;
    ``labels`` name the base and the other side in conflict markers."""
    if mine in (fork, upstream):
        return Merged("clean", upstream)
    if fork == upstream:
        return Merged("clean", mine)
    if is_binary(mine) or is_binary(fork) or is_binary(upstream):
        return Merged("binary-conflict", mine)
    crlf = _uses_crlf(mine)
    if _uses_crlf(fork) != crlf or _uses_crlf(upstream) != crlf:
        fork, upstream = _same_endings(fork, crlf), _same_endings(upstream, crlf)
    with tempfile.TemporaryDirectory() as tmp:
        files = [Path(tmp) / name for name in ("mine", "fork", "upstream")]
        for path, data in zip(files, (mine, fork, upstream), strict=True):
            path.write_bytes(data)
        done = git.run_bytes(
            "merge-file",
            "-p",
            "-L",
            f"personal {rel}",
            "-L",
            labels[0],
            "-L",
            labels[1],
            *map(str, files),
            check=False,
        )
    if done.returncode < 0 or done.returncode > 127:
        raise ToolError(
            "AI_CONFIG_MERGE_FAILED",
            f"git merge-file could not merge {rel}: {done.stderr.decode('utf-8', 'replace')}",
            suggestions=[f"Resolve it by hand: ai-config library diff {rel}"],
        )
    return Merged("conflict" if done.returncode else "clean", done.stdout)


def upstream_copy_path(rel: str) -> str:
    """Where upstream's version of a conflicting binary file is kept, beside the user's, with
    the same extension so it opens in the same program: ``img/logo.png`` ->
    ``img/logo.upstream.png``."""
    path = Path(rel)
    name = f"{path.stem}.upstream{path.suffix}" if path.suffix else f"{path.name}.upstream"
    return str(path.with_name(name))
