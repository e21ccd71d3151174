"""`ai-config repair` and `ai-config gc`: fix what doctor finds, prune what piles up.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.home import home
from ai_config.maintenance.gc import GcReport
from ai_config.maintenance.repair import Repair
from ai_config.results import Result
from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

repair_app = typer.Typer(add_completion=False)
gc_app = typer.Typer(add_completion=False)

DryRun = Annotated[bool, typer.Option("--dry-run", help="Only say what it would do.")]


class RepairList(Result):
    repairs: list[Repair]
    dry_run: bool


class GcResult(Result):
    gc: GcReport


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if count < 1024:
            return f"{count} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count //= 1024
    return f"{count:.1f} GiB"


def _repairs_view(result: RepairList) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    if not result.repairs:
        return "Nothing to repair."
    style = {"fixed": "green", "would-fix": "yellow", "failed": "bold red"}
    lines = []
    for r in result.repairs:
        backed = f" [dim](backups: {', '.join(r.backups)})[/]" if r.backups else ""
        failed = f": {escape(r.detail)}" if r.detail else ""
        lines.append(
            f"[{style[r.outcome]}]{r.outcome}[/] {escape(r.problem)}: {escape(r.action)}"
            f"{failed}{backed}"
        )
    return Group(*lines)


def _repair_failed(result: RepairList) -> int:
    return ExitCode.FAILURE if any(r.outcome == "failed" for r in result.repairs) else 0


def _gc_view(result: GcResult) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    report = result.gc
    lines = [f"{i.kind:<13} {_size(i.bytes):>10}  {escape(i.what)}" for i in report.items]
    verb = "Would free" if report.dry_run else "Freed"
    return Group(*lines, f"{verb} {_size(report.freed_bytes)} ({len(report.items)} items).")


@repair_app.command("repair")
@renders(_repairs_view, exit_code=_repair_failed)
def repair(dry_run: DryRun = False, output: OutputOption = OutputFormat.TABLE) -> RepairList:
    """Fix what doctor finds where a fix is safe, each step backed up and reported.

    A missing personal git history (started again from your files), a stale update lock, an
    interrupted update (finished to the revision it was going to), broken export records
    (the readable ones kept).

    Examples:

      ai-config repair --dry-run

      ai-config repair
    """
    from ai_config.maintenance.repair import repair as run

    return RepairList(repairs=run(home(), dry_run=dry_run), dry_run=dry_run)


@gc_app.command("gc")
@renders(_gc_view)
def gc(
    keep: Annotated[int, typer.Option("--keep", min=0, help="Backups to keep per file.")] = 10,
    older_than: Annotated[
        int | None, typer.Option("--older-than", min=0, help="Also prune backups older (days).")
    ] = None,
    dry_run: DryRun = False,
    output: OutputOption = OutputFormat.TABLE,
) -> GcResult:
    """Prune old backups, export records of deleted agents and caches; report what it freed.

    Examples:

      ai-config gc --dry-run

      ai-config gc --keep 5 --older-than 30
    """
    from ai_config.maintenance.gc import collect

    return GcResult(gc=collect(home(), keep=keep, older_than_days=older_than, dry_run=dry_run))
