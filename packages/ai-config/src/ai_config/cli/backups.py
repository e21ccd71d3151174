"""`ai-config backup list|restore|prune`: every change can be undone."""

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ai_config.home import home

if TYPE_CHECKING:
    from groundwork.state import BackupStore
from groundwork.output import OutputFormat, OutputOption, emit_json

console = Console()
app = typer.Typer(help="Backups taken before every change; restore one to undo it.")


def _store() -> "BackupStore":
    from groundwork.state import BackupStore

    return BackupStore(home() / "backups")


@app.command("list")
def list_backups(output: OutputOption = OutputFormat.TABLE) -> None:
    """List backups, newest first.

    Examples:

      ai-config backup list
    """
    backups = _store().list()
    if output is OutputFormat.JSON:
        emit_json([b.__dict__ for b in backups])
        return
    table = Table()
    for column in ("id", "when", "why", "what"):
        table.add_column(column)
    for b in backups:
        table.add_row(b.id, b.created_at[:19], b.reason, b.source)
    console.print(table)


@app.command("restore")
def restore(
    backup_id: Annotated[str, typer.Argument(help="Backup id (a prefix is enough).")],
) -> None:
    """Put a backup back; what it replaces is backed up first.

    Examples:

      ai-config backup restore 20261123T0712
    """
    safety = _store().restore(backup_id)
    console.print("Restored." + (f" The previous state is backup {safety.id}." if safety else ""))


@app.command("prune")
def prune(
    keep: Annotated[int, typer.Option("--keep", help="Backups to keep per item.")] = 10,
) -> None:
    """Delete old backups, keeping the newest per item.

    Examples:

      ai-config backup prune --keep 5
    """
    removed = _store().prune(keep=keep)
    console.print(f"Removed {len(removed)} backups.")
