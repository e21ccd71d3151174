"""How workstations look in a terminal; the sandbox is always labelled simulated."""

from typing import TYPE_CHECKING

from groundwork.output import stderr_console

if TYPE_CHECKING:
    from rich.table import Table

    from prism.workstations.model import Workstation
    from prism.workstations.results import LaunchResult, WorkstationList, WorkstationResult

__all__ = [
    "idle_line",
    "launch_view",
    "where",
    "workstation_detail",
    "workstation_line",
    "workstation_table",
    "workstation_view",
]

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

_DETAIL_FIELDS = (
    "template_name",
    "instance_type",
    "size",
    "architecture",
    "instance_id",
    "image_id",
    "availability_zone",
    "public_ip",
    "private_ip",
    "login_user",
    "spot",
    "hibernation",
    "root_volume_gb",
    "project",
    "restored_from",
    "ports",
    "created_at",
    "message",
)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def where(ws: "Workstation") -> str:
    label = _escape(f"{ws.profile} / {ws.region}")
    return f"{label} [magenta](simulated)[/magenta]" if ws.simulated else label


def state_text(state: str) -> str:
    return f"[{_STATE_STYLE.get(state, 'white')}]{state}[/]"


def workstation_line(ws: "Workstation") -> str:
    return f"[bold]{ws.name}[/bold] is {state_text(ws.state)} ({where(ws)})"


def workstation_table(result: "WorkstationList") -> "Table | str":
    from rich.table import Table

    if not result.workstations:
        return "No workstations yet. Launch one: prism launch python-ml-workstation demo"
    table = Table(title="Workstations", title_justify="left")
    projects = any(ws.project for ws in result.workstations)
    reasons = any(ws.state_reason for ws in result.workstations)
    columns = ["name", "template", "state", "type", "idle policy", "public ip", "where"]
    if projects:
        columns.insert(1, "project")
    if reasons:
        columns.append("why")
    for column in columns:
        table.add_column(column)
    for ws in result.workstations:
        row = [
            ws.name,
            _escape(ws.template),
            state_text(ws.state),
            ws.instance_type,
            _escape(ws.idle.name) if ws.idle else "none",
            ws.public_ip or "-",
            where(ws),
        ]
        if projects:
            row.insert(1, _escape(ws.project or "-"))
        if reasons:
            row.append(_escape(ws.state_reason.text) if ws.state_reason else "")
        table.add_row(*row)
    return table


def workstation_detail(result: "WorkstationResult") -> "Table":
    from rich.table import Table

    ws = result.workstation
    table = Table(show_header=False, title=workstation_line(ws), title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    if ws.state_reason is not None:
        table.add_row("why", _escape(ws.state_reason.text))
    for key in _DETAIL_FIELDS:
        value = getattr(ws, key)
        if value not in (None, "", [], {}):
            table.add_row(key.replace("_", " "), _escape(str(value)))
    table.add_row("idle policy", _escape(idle_line(ws)))
    for note in ws.notes:
        table.add_row("note", _escape(note))
    return table


def workstation_view(result: "WorkstationResult") -> str:
    """What stop, start, hibernate, resume and delete show: the workstation's state now."""
    _notice(result.notice)
    return workstation_line(result.workstation)


def launch_view(result: "LaunchResult") -> str:
    ws = result.workstation
    _notice(result.notice)
    for note in ws.notes:
        stderr_console().print(f"[yellow]Note:[/yellow] {_escape(note)}")
    if result.dry_run:
        return (
            f"[green]Dry run passed[/green]: {_escape(ws.template_name)} as {ws.instance_type}"
            f" ({ws.architecture}) in {where(ws)}. Nothing was launched."
        )
    lines = [workstation_line(ws)]
    lines.append(idle_line(ws))
    if ws.simulated:
        lines.append(
            "[magenta]This workstation is simulated by the sandbox: nothing runs there.[/magenta]"
        )
    elif ws.state == "running":
        lines.append(f"Connect with: prism connect {ws.name}")
    services = [s for s in ws.services if s != "desktop"]
    if services:
        lines.append(f"Web: prism web {ws.name} SERVICE, for {_escape(', '.join(services))}")
    if ws.desktop:
        kind = "NICE DCV" if ws.desktop == "dcv" else "noVNC in the browser"
        lines.append(f"Desktop ({kind}): prism web {ws.name} desktop")
    return "\n".join(lines)


def idle_line(ws: "Workstation") -> str:
    """The idle policy, as a launch states it."""
    if ws.idle is None:
        return "No idle policy: it runs until you stop it." + (
            " (--no-idle)" if ws.idle_agent_minutes is None else ""
        )
    where = "" if ws.idle.source == "default" else f" (from its {ws.idle.source})"
    return (
        f"Idle policy {_escape(ws.idle.name)}{where}: {_escape(ws.idle.describe())}."
        f" Opt out: prism idle apply none {ws.name}"
    )


def _notice(notice: str | None) -> None:
    if notice:
        stderr_console().print(f"[yellow]Notice:[/yellow] {_escape(notice)}")
