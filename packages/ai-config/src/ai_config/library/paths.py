"""Library paths as users type them, checked so nothing can point outside the library.

Two checks: :func:`library_path` refuses a path that escapes by its spelling (``..``, absolute,
``.git``); :func:`contained` refuses one that escapes through a symlink (a shared library can
commit ``roles/notes.md -> ~/.ssh/id_ed25519`` or a folder linked to ``/``). A symlink that stays
inside its library is followed; one that leaves it never is.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from groundwork.errors import ExitCode, ToolError

__all__ = ["contained", "escapes", "library_path", "outside_error"]

_HIDDEN = (".git", ".ai-config")


def library_path(raw: str) -> str:
    """A normalised relative path (``roles/dev.md``), or an error for anything that escapes."""
    text = raw.strip().replace("\\", "/")
    candidate = PurePosixPath(text)
    if (
        not text
        or candidate.is_absolute()
        or any(part in ("..", "") for part in candidate.parts)
        or candidate.parts[0] in _HIDDEN
        or Path(text).drive
    ):
        raise ToolError(
            "AI_CONFIG_PATH_OUTSIDE_LIBRARY",
            f"{raw!r} is not a path inside the library.",
            suggestions=[
                "Give a relative path like roles/reviewer.md (see: ai-config library files)."
            ],
            context={"path": raw},
            exit_code=ExitCode.USAGE,
        )
    return str(candidate)


def escapes(root: Path, rel: str) -> str | None:
    """Where ``root/rel`` really leads when a symlink on the way takes it outside ``root``;
    None when it stays inside (or does not exist yet: nothing to follow)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(root / rel)
    if real == real_root or real.startswith(real_root + os.sep):
        return None
    return real


def contained(root: Path, rel: str) -> Path:
    """``root/rel``, after checking that no symlink on the way leads outside ``root``."""
    target = escapes(root, rel)
    if target is not None:
        raise outside_error(root, rel, target)
    return root / rel


def outside_error(root: Path, rel: str, target: str) -> ToolError:
    return ToolError(
        "AI_CONFIG_SYMLINK_OUTSIDE",
        f"{rel} in {root} is a symlink (or under one) that leads outside the library, to"
        f" {target}; ai-config does not follow it.",
        suggestions=[
            "Ask the library's owners to replace the symlink with the file itself.",
            "See every such link: ai-config library status",
        ],
        context={"path": rel, "library": str(root), "target": target},
        exit_code=ExitCode.PERMISSION,
    )
