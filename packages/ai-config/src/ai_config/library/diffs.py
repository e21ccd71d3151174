"""Your copy of a library file against the base's, as a unified diff made in process.

`library diff` shows every override; running `git diff --no-index` once per file cost a process
each (50 overrides, 50 processes). The output has git's shape: a ``diff --git`` header, ``---``
and ``+++`` lines with the library path, hunks, and ``Binary files ... differ`` for binary files
(git's test: a NUL byte in the first 8,000). Bytes that are not UTF-8 show as replacement
characters.
"""

from __future__ import annotations

import difflib

from ai_config.library.merge import is_binary

__all__ = ["unified"]


def unified(rel: str, old: bytes | None, new: bytes) -> str:
    """The diff from the base's ``old`` (None: the base has no such file) to ``new``."""
    if old == new:
        return ""
    before, after = ("/dev/null" if old is None else f"a/{rel}"), f"b/{rel}"
    header = f"diff --git a/{rel} b/{rel}\n" + ("new file\n" if old is None else "")
    if is_binary(old or b"") or is_binary(new):
        return header + f"Binary files {before} and {after} differ\n"
    lines = difflib.unified_diff(
        (old or b"").decode("utf-8", "replace").splitlines(keepends=True),
        new.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=before,
        tofile=after,
    )
    return header + "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
