"""`ai-config status`, `stats` and `logs`: the whole picture on one screen, in figures, and the
audit log.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import Field

from ai_config.exports.models import ExportedFile
from ai_config.home import home
from ai_config.library.models import LibraryStatus
from ai_config.results import Result
from ai_config.safety import AuditEntry, AuditLog
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ai_config.library.store import Library

status_app = typer.Typer(add_completion=False)
stats_app = typer.Typer(add_completion=False)
logs_app = typer.Typer(add_completion=False)


class Overview(Result):
    library: LibraryStatus
    override_counts: dict[str, int] = Field(description="Personal files by state")
    agent_names: list[str]
    stale_exports: list[ExportedFile]
    conflict_copies: list[str] = Field(
        default_factory=list, description="Sync tools' conflict copies: ai-config sync merge"
    )


class Stats(Result):
    base_revision: str
    library_files: int = Field(description="Files in the effective library")
    library_bytes: int
    personal_files: int
    overrides: int = Field(description="Personal files that override a base file")
    conflicts: int
    agents: int
    mcp_servers: int = Field(description="Servers in the catalog (bundled, library, yours)")
    exports: int = Field(description="Exported parts (one agent's part of one file)")
    export_files: int
    backups: int
    audit_entries: int
    last_update: str | None = Field(description="When `library update` last moved the base")


class StatsResult(Result):
    stats: Stats


class ChangeList(Result):
    changes: list[AuditEntry]


class Outcome(StrEnum):
    DONE = "done"
    ROLLED_BACK = "rolled-back"


def _library() -> Library:
    from ai_config.library.store import Library

    lib = Library(home())
    lib.require()
    return lib


def _overview_view(result: Overview) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    status = result.library
    upstream = (
        f"{status.behind} behind / {status.ahead} ahead of {status.upstream}"
        if status.upstream
        else "the starter: no upstream"
    )
    counts = ", ".join(f"{n} {state}" for state, n in sorted(result.override_counts.items()))
    lines: list[RenderableType] = [
        f"[bold]Library[/] {status.base_revision[:8]} ({upstream}), {status.files} files",
        f"[bold]Personal files[/] {counts or 'none'}",
        f"[bold]Agents[/] {escape(', '.join(result.agent_names)) or 'none'}",
    ]
    if status.unsafe_links:
        lines.append(
            f"[bold red]{len(status.unsafe_links)} symlinks lead outside a library[/]"
            " (not followed): ai-config library status"
        )
    if result.conflict_copies:
        lines.append(
            f"[yellow]{len(result.conflict_copies)} conflict copies from a sync tool[/]"
            f" ({escape(', '.join(result.conflict_copies[:3]))}): ai-config sync merge"
        )
    if result.stale_exports:
        lines.append(f"[yellow]{len(result.stale_exports)} exports to look at[/]:")
        lines += [f"  {e.state} {escape(e.path)}" for e in result.stale_exports]
    else:
        lines.append("[bold]Exports[/] up to date")
    return Group(*lines)


def _stats_view(result: StatsResult) -> RenderableType:
    from rich.table import Table

    table = Table(show_header=False)
    for key, value in result.stats.model_dump().items():
        table.add_row(key.replace("_", " "), str(value if value is not None else "-"))
    return table


def _changes_view(result: ChangeList) -> RenderableType:
    from ai_config.cli.audit import audit_table

    return audit_table(result.changes)


@status_app.command("status")
@renders(_overview_view)
def status(output: OutputOption = OutputFormat.TABLE) -> Overview:
    """One screen: library revision, your files by state, agents, exports to refresh.

    Examples:

      ai-config status

      ai-config status -o json
    """
    from ai_config.exports.check import stale_exports

    lib = _library()
    scans = lib.scans()  # one scan of the library for the status and the exports
    library = lib.status(scans=scans)
    counts: dict[str, int] = {}
    for override in library.overrides:
        counts[override.state] = counts.get(override.state, 0) + 1
    names = sorted({Path(rel).stem for rel in lib.glob("agents/*.y*ml")})
    from ai_config.sync.copies import is_conflict_copy

    return Overview(
        library=library,
        override_counts=counts,
        agent_names=names,
        stale_exports=stale_exports(home(), scans),
        conflict_copies=sorted(r for r in scans[lib.personal_dir].files if is_conflict_copy(r)),
    )


@stats_app.command("stats")
@renders(_stats_view)
def stats(output: OutputOption = OutputFormat.TABLE) -> StatsResult:
    """Figures: library size, your files, agents, MCP servers, exports, backups, last update.

    Examples:

      ai-config stats -o json
    """
    from ai_config.exports.records import ExportRecords
    from ai_config.library.git import Git
    from ai_config.library.gitscan import blob_sizes
    from ai_config.mcp.catalog import McpCatalog

    lib = _library()
    scans = lib.scans()
    personal = scans.pop(lib.personal_dir).files
    files: dict[str, int] = {}
    for layer, scan in scans.items():
        unread = [rel for rel, found in scan.files.items() if found.size < 0]
        sizes = blob_sizes(Git(layer), [scan.files[rel].sha256 for rel in unread])
        files.update({rel: found.size for rel, found in scan.files.items()})
        files.update(zip(unread, sizes, strict=True))
    overrides = sum(1 for rel in personal if rel in files)
    files.update({rel: found.size for rel, found in personal.items()})
    records = ExportRecords(lib.home).load()
    audit = AuditLog(lib.home / "audit.log")
    entries = audit.entries()
    updates = [e.at for e in entries if e.action == "library update" and e.outcome == "done"]
    backups = lib.home / "backups"
    return StatsResult(
        stats=Stats(
            base_revision=lib.base.head(),
            library_files=len(files),
            library_bytes=sum(files.values()),
            personal_files=len(personal),
            overrides=overrides,
            conflicts=sum(1 for f in personal.values() if f.conflict)
            + sum(1 for c in lib.conflicts.load().values() if c.kind == "binary"),
            agents=len({Path(rel).stem for rel in lib.glob("agents/*.y*ml")}),
            mcp_servers=len(McpCatalog(lib.home).servers()),
            exports=len(records),
            export_files=len({r.path for r in records}),
            backups=sum(1 for e in os.scandir(backups) if e.is_dir()) if backups.is_dir() else 0,
            audit_entries=len(entries),
            last_update=updates[-1] if updates else None,
        )
    )


@logs_app.command("logs")
@renders(_changes_view)
def logs(
    count: Annotated[int, typer.Option("-n", min=1, help="At most this many (the latest).")] = 50,
    action: Annotated[
        str | None, typer.Option("--action", help="Only changes whose action contains this.")
    ] = None,
    outcome: Annotated[
        Outcome | None, typer.Option("--outcome", help="Only changes that ended this way.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only changes at or after this (2025-10-02).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> ChangeList:
    """The audit log: every change ai-config made, filtered, oldest first.

    Examples:

      ai-config logs --action "library update" -n 5

      ai-config logs --outcome rolled-back --since 2025-10-01 -o json
    """
    wanted = outcome.value.replace("-", " ") if outcome else None
    changes = [
        e
        for e in AuditLog(home() / "audit.log").entries()
        if (action is None or action in e.action)
        and (wanted is None or e.outcome == wanted)
        and (since is None or e.at >= since)
    ]
    return ChangeList(changes=changes[-count:])
