"""How workstations look in a terminal; the sandbox is always labelled simulated."""

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["console", "workstation_line", "workstation_table"]

console = Console()
err_console = Console(stderr=True)

_STATE_STYLE = {
    "running": "green",
    "pending": "yellow",
    "launching": "yellow",
    "stopping": "yellow",
    "stopped": "blue",
    "hibernated": "cyan",
    "gone": "red",
    "failed": "bold red",
}


def where(ws: dict[str, Any]) -> str:
    label = f"{ws['profile']} / {ws['region']}"
    return f"{label} [magenta](simulated)[/magenta]" if ws.get("simulated") else label


def state_text(state: str) -> str:
    return f"[{_STATE_STYLE.get(state, 'white')}]{state}[/]"


def workstation_table(workstations: list[dict[str, Any]]) -> Table:
    table = Table(title="Workstations", title_justify="left")
    for column in ("name", "template", "state", "type", "public ip", "where"):
        table.add_column(column)
    for ws in workstations:
        table.add_row(
            ws["name"],
            ws["template"],
            state_text(ws["state"]),
            ws["instance_type"],
            ws.get("public_ip") or "-",
            where(ws),
        )
    return table


def workstation_line(ws: dict[str, Any]) -> str:
    return f"[bold]{ws['name']}[/bold] is {state_text(ws['state'])} ({where(ws)})"
