"""Library paths as users type them, checked so nothing can point outside the library."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from groundwork.errors import ExitCode, ToolError

__all__ = ["library_path"]

_HIDDEN = (".git",)


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
