"""`ai-config backup list|restore|prune`: every change can be undone.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.home import home
from ai_config.results import Result
from groundwork.output import OutputFormat, OutputOption, renders
from groundwork.state.backups import Backup, BackupStore

if TYPE_CHECKING:
    from rich.table import Table

app = typer.Typer(
    help="Backups taken before every change; restore one to undo it.", add_completion=False
)


def _store() -> BackupStore:
    return BackupStore(home() / "backups")


class BackupList(Result):
    backups: list[Backup]


class RestoreResult(Result):
    backup: Backup
    previous: Backup | None = None
    """The snapshot of what the restore replaced: restore it to undo the restore."""


def _backups_view(result: BackupList) -> Table:
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("id", "when", "why", "what"):
        table.add_column(column)
    for b in result.backups:
        table.add_row(b.id, b.created_at[:19], escape(b.reason), escape(b.source))
    return table


def _restore_view(result: RestoreResult) -> str:
    from rich.markup import escape

    undo = (
        f" The previous state is backup {result.previous.id}."
        if result.previous is not None
        else ""
    )
    return f"Restored {escape(result.backup.source)} from {result.backup.id}.{undo}"


def _pruned_view(result: BackupList) -> str:
    return f"Removed {len(result.backups)} backups."


@app.command("list")
@renders(_backups_view)
def list_backups(output: OutputOption = OutputFormat.TABLE) -> BackupList:
    """List backups, newest first.

    Examples:

      ai-config backup list
    """
    return BackupList(backups=_store().list())


@app.command("restore")
@renders(_restore_view)
def restore(
    backup_id: Annotated[str, typer.Argument(help="Backup id (a prefix is enough).")],
    output: OutputOption = OutputFormat.TABLE,
) -> RestoreResult:
    """Put a backup back; what it replaces is backed up first.

    Examples:

      ai-config backup restore 20261123T0712
    """
    from ai_config.safety import AuditLog

    store = _store()
    backup = store.get(backup_id)
    previous = store.restore(backup.id)
    AuditLog(home() / "audit.log").record(
        "backup restore",
        backup=backup.id,
        path=backup.source,
        previous=previous.id if previous else None,
    )
    return RestoreResult(backup=backup, previous=previous)


@app.command("prune")
@renders(_pruned_view)
def prune(
    keep: Annotated[int, typer.Option("--keep", min=0, help="Backups to keep per item.")] = 10,
    output: OutputOption = OutputFormat.TABLE,
) -> BackupList:
    """Delete old backups, keeping the newest per item; prints the ones removed.

    Examples:

      ai-config backup prune --keep 5
    """
    from ai_config.safety import AuditLog

    removed = _store().prune(keep=keep)
    AuditLog(home() / "audit.log").record(
        "backup prune", keep=keep, removed=[b.id for b in removed]
    )
    return BackupList(backups=removed)
