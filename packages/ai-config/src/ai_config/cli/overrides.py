"""`ai-config library forget` and `library resolve`: drop a personal file, settle a conflict.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from ai_config.home import home
from ai_config.library.models import LibraryFile, OverrideStatus, Side
from ai_config.results import Result
from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, renders

__all__ = ["OverrideResult", "forget", "resolve"]

PathArg = Annotated[str, typer.Argument(help="A library path, like roles/code-reviewer.md.")]


class OverrideResult(Result):
    override: OverrideStatus
    file: LibraryFile | None = None
    """For forget: the file the path means now (the base's), or null if none is left."""


def _override_view(verb: str) -> Callable[[OverrideResult], str]:
    def view(result: OverrideResult) -> str:
        from rich.markup import escape

        now = (
            f"; {escape(result.file.path)} now comes from the {result.file.origin} library"
            if result.file is not None
            else ""
        )
        return f"{verb} {escape(result.override.path)}{now}. Undo: ai-config backup list"

    return view


@renders(_override_view("Forgot"))
def forget(path: PathArg, output: OutputOption = OutputFormat.TABLE) -> OverrideResult:
    """Drop your copy of a library file (backed up first), so the base's shows through again.

    Examples:

      ai-config library forget roles/code-reviewer.md
    """
    from ai_config.library.store import Library
    from groundwork.errors import ToolError

    lib = Library(home())
    dropped = lib.forget(path)
    try:
        now: LibraryFile | None = lib.resolve(dropped.path)
    except ToolError:
        now = None
    return OverrideResult(override=dropped, file=now)


@renders(_override_view("Resolved"))
def resolve(
    path: PathArg,
    ours: Annotated[bool, typer.Option("--ours", help="Keep your version as it was.")] = False,
    theirs: Annotated[bool, typer.Option("--theirs", help="Take upstream's version.")] = False,
    merged: Annotated[
        bool, typer.Option("--merged", help="Keep the file as you edited it (no markers left).")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> OverrideResult:
    """Settle a conflict an update left in one of your files (backed up first).

    Examples:

      ai-config library resolve roles/code-reviewer.md --theirs

      ai-config library resolve images/logo.png --ours

      ai-config library resolve roles/code-reviewer.md --merged
    """
    from groundwork.errors import ToolError

    sides: tuple[tuple[Side, bool], ...] = (("ours", ours), ("theirs", theirs), ("merged", merged))
    chosen = [side for side, on in sides if on]
    if len(chosen) != 1:
        raise ToolError(
            "AI_CONFIG_SIDE_REQUIRED",
            "Say how to resolve it: exactly one of --ours, --theirs or --merged.",
            suggestions=[f"ai-config library resolve {path} --theirs"],
            exit_code=ExitCode.USAGE,
        )
    from ai_config.library.store import Library

    return OverrideResult(override=Library(home()).settle(path, chosen[0]))
