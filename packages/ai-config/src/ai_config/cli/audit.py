"""`ai-config audit`: what changed, when, and the hashes before and after.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.home import home
from ai_config.results import Result
from ai_config.safety import AuditEntry, AuditLog
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.table import Table

app = typer.Typer(add_completion=False)


class AuditList(Result):
    changes: list[AuditEntry]


def audit_table(changes: list[AuditEntry]) -> Table:
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("when", "what", "outcome", "details"):
        table.add_column(column)
    for change in changes:
        details = ", ".join(
            f"{key}={value}"
            for key, value in (change.model_extra or {}).items()
            if key not in ("before", "after", "backups")
        )
        table.add_row(change.at, change.action, change.outcome, escape(details))
    return table


def _audit_view(result: AuditList) -> Table:
    return audit_table(result.changes)


@app.command("audit")
@renders(_audit_view)
def audit(
    count: Annotated[int, typer.Option("-n", min=1, help="How many changes.")] = 20,
    output: OutputOption = OutputFormat.TABLE,
) -> AuditList:
    """The latest changes ai-config made, oldest first, from its audit log.

    Each mutating command records what it did, whether it completed or was rolled back, and
    hashes of what it touched before and after. Undo one: ai-config backup list, then restore.
    To filter (by action, outcome, date): ai-config logs.

    Examples:

      ai-config audit -n 5

      ai-config audit -o json
    """
    return AuditList(changes=AuditLog(home() / "audit.log").tail(count))
