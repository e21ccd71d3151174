"""A file-system refusal (a folder that cannot be made, a path that is a file, no permission)
said as what ai-config was doing, where, and what to do, instead of an internal error."""

from __future__ import annotations

from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["write_failed"]


def write_failed(exc: OSError, doing: str, path: Path, suggestion: str) -> ToolError:
    """``doing`` is the user's view of the step, like "write the diagnostics archive"."""
    denied = isinstance(exc, PermissionError)
    reason = exc.strerror or type(exc).__name__
    where = exc.filename if isinstance(exc.filename, str) else str(path)
    return ToolError(
        "AI_CONFIG_PERMISSION_DENIED" if denied else "AI_CONFIG_WRITE_FAILED",
        f"Could not {doing} at {path}: {reason} ({where}). Nothing was changed.",
        suggestions=[suggestion],
        context={"path": str(path)},
        exit_code=ExitCode.PERMISSION if denied else ExitCode.FAILURE,
    )
