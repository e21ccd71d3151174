"""`prism storage report|cleanup` and `prism volume backup|backups|restore`: what storage
costs, what is unused, what would save money, and EFS backups.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.cli.service import daemon_client
from prism.cli.storage import NameArg, YesOption, confirm_or_stop, storage_app, volume_app
from prism.durations import parse_minutes

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.cloud.storage_model import RecoveryPointList, VolumeRestoreResult, VolumeResult
    from prism.hygiene.model import CleanupCandidate, CleanupResult, StorageReportResult

__all__ = ["cleanup", "report"]


def _report_view(result: "StorageReportResult") -> "RenderableType":
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    r = result.report
    items = Table(title="Storage" + (" (simulated)" if r.simulated else ""), title_justify="left")
    for column in ("kind", "name", "size", "type", "used", "age", "$/month", "project"):
        items.add_column(
            column, justify="right" if column in ("size", "age", "$/month") else "left"
        )
    for i in r.items:
        items.add_row(
            i.kind,
            escape(i.name),
            f"{i.size_gb:g} GiB",
            i.volume_type,
            escape(i.state),
            f"{i.age_days:.0f} d",
            f"{i.monthly_usd:.2f}",
            i.project or "-",
        )
    parts: list[RenderableType] = [
        items,
        f"{r.total_gb:g} GiB, ${r.total_monthly_usd:.2f} a month.",
    ]
    if r.recommendations:
        advice = Table(title="Recommendations", title_justify="left")
        for column in ("saves $/month", "what", "resource", "why", "how"):
            advice.add_column(column)
        for rec in r.recommendations:
            advice.add_row(
                f"{rec.monthly_saving_usd:.2f}",
                rec.kind,
                escape(rec.resource),
                escape(rec.detail),
                escape(rec.command or "-"),
            )
        parts += [advice, f"Together: ${r.total_saving_usd:.2f} a month."]
    else:
        parts.append("No recommendations: nothing unused or oversized was found.")
    return Group(*parts)


@storage_app.command("report")
@renders(_report_view)
def report(output: OutputOption = OutputFormat.TABLE) -> "StorageReportResult":
    """Usage and cost of every disk, volume and snapshot, and what would save money (gp2 to
    gp3, unused storage, oversized root disks, workstations larger than their CPU use).

    Examples:

      prism storage report

      prism storage report --output json
    """
    from prism.hygiene.model import StorageReportResult

    return daemon_client().call("GET", "/api/v1/storage/report", StorageReportResult)


def _candidates_table(candidates: "list[CleanupCandidate]", title: str) -> "RenderableType":
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in ("kind", "name", "id", "size", "age", "$/month", "why"):
        table.add_column(column)
    for c in candidates:
        table.add_row(
            c.kind,
            escape(c.name),
            c.resource_id,
            f"{c.size_gb:g} GiB",
            f"{c.age_days:.0f} d",
            f"{c.monthly_usd:.2f}",
            escape(c.reason),
        )
    return table


def _cleanup_view(result: "CleanupResult") -> "RenderableType":
    from rich.console import Group

    plan = result.cleanup
    if not plan.candidates:
        return "Nothing to clean up: no unattached disks, no volumes mounted nowhere."
    if plan.dry_run:
        title = "Would delete (dry run)"
        them = "it" if len(plan.candidates) == 1 else "them"
        closing = f"Deleting {them} would save ${plan.monthly_saving_usd:.2f} a month."
    else:
        title = "Deleted"
        closing = f"Saves ${plan.monthly_saving_usd:.2f} a month."
    return Group(_candidates_table(plan.candidates, title), closing)


@storage_app.command("cleanup")
@renders(_cleanup_view)
def cleanup(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List them, delete nothing.")] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Only this one (name or id; repeat).")
    ] = None,
    older_than: Annotated[
        str, typer.Option("--older-than", help="Only what is at least this old: 7d, 12h.")
    ] = "0",
    yes: YesOption = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "CleanupResult":
    """Unattached EBS disks and EFS volumes mounted nowhere, with their monthly cost and age;
    deletes them after you confirm (--yes skips the question).

    Examples:

      prism storage cleanup --dry-run

      prism storage cleanup --older-than 7d

      prism storage cleanup --only scratch --yes
    """
    from prism.hygiene.model import CleanupResult

    client = daemon_client()
    minutes = parse_minutes(older_than, "--older-than", allow_zero=True)
    plan = client.call(
        "GET",
        "/api/v1/storage/cleanup",
        CleanupResult,
        params={"older_than_minutes": str(minutes)},
    )
    candidates = plan.cleanup.candidates
    if only:
        missing = [o for o in only if not any(o in (c.name, c.resource_id) for c in candidates)]
        if missing:
            raise ToolError(
                "PRISM_CLEANUP_NOT_UNUSED",
                f"Not among the unused storage: {', '.join(missing)}; nothing was deleted.",
                suggestions=["See what is unused: prism storage cleanup --dry-run"],
                exit_code=ExitCode.NOT_FOUND,
            )
        candidates = [c for c in candidates if c.name in only or c.resource_id in only]
        plan.cleanup.candidates = candidates
        plan.cleanup.monthly_saving_usd = round(sum(c.monthly_usd for c in candidates), 2)
    if dry_run or not candidates:
        return plan
    if not yes:
        stderr_console().print(_candidates_table(candidates, "Unused storage"))
        confirm_or_stop(
            f"Delete {'it' if len(candidates) == 1 else f'these {len(candidates)}'} and"
            f" {'its' if len(candidates) == 1 else 'their'} data (saves"
            f" ${plan.cleanup.monthly_saving_usd:.2f} a month)?",
            "prism storage cleanup",
        )
    body = {"resource_ids": [c.resource_id for c in candidates]}
    return client.call("POST", "/api/v1/storage/cleanup", CleanupResult, body=body)


def _backup_view(result: "VolumeResult") -> str:
    v = result.volume
    return f"Backups of volume [bold]{v.name}[/bold]: {(v.backup or 'unknown').lower()}"


@volume_app.command("backup")
@renders(_backup_view)
def backup(
    name: NameArg,
    on: Annotated[bool, typer.Option("--on/--off", help="Turn daily backups on or off.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "VolumeResult":
    """Turn AWS Backup's automatic daily backups of a volume on or off (kept 35 days).

    The sandbox's AWS emulator does not implement this (it says so); there, create volumes
    with --backup.

    Examples:

      prism volume backup shared-data --on
    """
    from prism.cloud.storage_model import VolumeResult

    return daemon_client().call(
        "POST", f"/api/v1/volumes/{name}/backup", VolumeResult, body={"enabled": on}
    )


def _points_view(result: "RecoveryPointList") -> "RenderableType":
    from rich.table import Table

    if not result.recovery_points:
        return f"{result.volume} has no backups yet."
    table = Table(title=f"Backups of {result.volume}", title_justify="left")
    for column in ("taken", "status", "size"):
        table.add_column(column)
    for p in result.recovery_points:
        size = f"{p.size_bytes / 2**30:.2f} GiB" if p.size_bytes is not None else "-"
        table.add_row(f"{p.created:%Y-%m-%d %H:%M}", p.status, size)
    return table


@volume_app.command("backups")
@renders(_points_view)
def backups(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "RecoveryPointList":
    """A volume's backups (AWS Backup's recovery points), newest first.

    Examples:

      prism volume backups shared-data
    """
    from prism.cloud.storage_model import RecoveryPointList

    return daemon_client().call("GET", f"/api/v1/volumes/{name}/recovery-points", RecoveryPointList)


def _restore_view(result: "VolumeRestoreResult") -> str:
    return f"Restore job {result.restore.job_id} started. {result.notice}"


@volume_app.command("restore")
@renders(_restore_view)
def restore(
    name: NameArg,
    as_name: Annotated[str, typer.Option("--as", help="The restored volume's name.")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="Point in time: the newest backup at or before it (ISO 8601)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "VolumeRestoreResult":
    """Restore a volume from a backup into a new volume (AWS Backup).

    Examples:

      prism volume restore shared-data --as shared-data-monday --at 2026-11-23T18:00
    """
    from prism.cloud.storage_model import VolumeRestoreResult

    body = {"name": as_name, "at": at}
    return daemon_client().call(
        "POST", f"/api/v1/volumes/{name}/restore", VolumeRestoreResult, body=body
    )
