"""`ai-config sync status|merge|use`: the personal library in a folder a sync tool shares.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.home import home
from ai_config.results import Result
from ai_config.sync.merge import CopyMerge
from ai_config.sync.place import PersonalPlace
from ai_config.sync.status import SyncStatus
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ai_config.library.store import Library

app = typer.Typer(
    help="Team sync: your personal library in a Syncthing, Nextcloud, Dropbox or network folder.",
    add_completion=False,
)


def _library() -> Library:
    from ai_config.library.store import Library

    return Library(home())


class SyncResult(Result):
    sync: SyncStatus


class MergeList(Result):
    merges: list[CopyMerge]


class PlaceResult(Result):
    personal: PersonalPlace


def _status_view(result: SyncResult) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    status = result.sync
    where = (
        f"in a {status.folder.tool} folder ({escape(str(status.folder.root))})"
        if status.folder
        else "in no folder a sync tool is known to share"
    )
    lines: list[RenderableType] = [
        f"Personal library {escape(str(status.personal_dir))}: {where}.",
        f"[dim]history on this machine: {escape(str(status.git_dir))}[/]",
    ]
    lines += [
        f"[yellow]conflict copy[/] {escape(c.path)} ({c.tool}) of {escape(c.original)}"
        for c in status.conflict_copies
    ]
    if status.conflict_copies:
        lines.append("Merge them three-way: ai-config sync merge")
    lines += [f"[bold red]conflict[/] {escape(rel)}" for rel in status.conflicts]
    if status.conflicts:
        lines.append("Settle each: ai-config library resolve PATH --ours, --theirs or --merged")
    if status.lock is not None:
        state = f"stale: {status.lock.reason}" if status.lock.stale else "held"
        lines.append(
            f"Update lock {state} ({status.lock.host}, process {status.lock.pid},"
            f" {status.lock.action} since {status.lock.at})"
            + (": ai-config repair breaks it" if status.lock.stale else "")
        )
    if not status.waiting:
        lines.append("[green]Nothing waits to be resolved.[/]")
    return Group(*lines)


def _merges_view(result: MergeList) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    if not result.merges:
        return "No conflict copies to merge."
    style = {"merged": "green", "restored": "green", "conflict": "bold red"}
    lines: list[RenderableType] = [
        f"[{style.get(m.outcome, 'yellow')}]{m.outcome}[/] {escape(m.path)}"
        f" [dim](from {escape(m.copy_path)})[/]"
        for m in result.merges
    ]
    if any(m.outcome in ("conflict", "binary-conflict") for m in result.merges):
        lines.append(
            "Settle conflicts: ai-config library resolve PATH --ours, --theirs or --merged"
        )
    return Group(*lines)


def _place_view(result: PlaceResult) -> str:
    from rich.markup import escape

    place = result.personal
    tool = f" ({place.folder.tool} shares it)" if place.folder else ""
    verb = {"moved": "Moved", "adopted": "Adopted", "unchanged": "Already using"}[place.how]
    return (
        f"{verb} the personal library at {escape(str(place.personal_dir))}{tool}; its history"
        f" stays on this machine in {escape(str(place.git_dir))}."
    )


@app.command("status")
@renders(_status_view)
def status(output: OutputOption = OutputFormat.TABLE) -> SyncResult:
    """Whether the personal library is in a sync tool's folder, and what waits there.

    Examples:

      ai-config sync status

      ai-config sync status -o json
    """
    from ai_config.sync.status import sync_status

    return SyncResult(sync=sync_status(_library()))


@app.command("merge")
@renders(_merges_view)
def merge(
    path: Annotated[
        str | None, typer.Argument(help="One file (or its conflict copy); default: all.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> MergeList:
    """Merge sync tools' conflict copies into their files, three-way (backed up, committed).

    Overlapping edits are left with conflict markers, to settle with library resolve.

    Examples:

      ai-config sync merge

      ai-config sync merge roles/code-reviewer.md
    """
    from ai_config.sync.merge import merge_copies

    return MergeList(merges=merge_copies(_library(), path))


@app.command("use")
@renders(_place_view)
def use(
    folder: Annotated[Path, typer.Argument(help="A folder your sync tool shares.")],
    output: OutputOption = OutputFormat.TABLE,
) -> PlaceResult:
    """Keep the personal library in FOLDER: moved there, or adopted from another machine.

    The personal history stays on this machine; the folder holds only library files and
    .ai-config/ (fork records, the update lock).

    Examples:

      ai-config sync use ~/Sync/ai-config

      ai-config sync use ~/Nextcloud/ai-config/personal
    """
    from ai_config.sync.place import use_folder

    return PlaceResult(personal=use_folder(_library(), folder))
