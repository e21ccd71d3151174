"""`prism idle policy create|list|delete`, `idle apply`, `idle status`, `idle simulate`."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.choices import IdleAction
from prism.cli.service import daemon_client
from prism.durations import parse_minutes

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import RenderableType

    from prism.idle.model import (
        AssignmentResult,
        IdleStatusList,
        PolicyList,
        PolicyResult,
        SimulateResult,
    )

app = typer.Typer(
    help="Idle policies: stop or hibernate workstations nobody uses."
    "\n\nEach workstation's idle agent samples CPU load, SSH logins, GPU use and notebook or"
    " RStudio activity; prismd acts on its policy (default: hibernate after 60 min idle,"
    " warning 5 min before)."
)
policy_app = typer.Typer(help="Create, list and delete idle policies.")
app.add_typer(policy_app, name="policy")

NameArg = Annotated[str, typer.Argument(help="Workstation name.")]


def _when(at: "datetime | None") -> str:
    return f"{at:%H:%M}" if at else "-"


def _policy_view(result: "PolicyResult") -> str:
    p = result.policy
    return f"Idle policy [bold]{p.name}[/bold]: {p.describe()}"


@policy_app.command("create")
@renders(_policy_view)
def policy_create(
    name: Annotated[str, typer.Argument(help="Policy name (lower case, digits, '-').")],
    idle: Annotated[str, typer.Option("--idle", help="Idle this long, then act: 30m, 1h30m.")],
    action: Annotated[IdleAction, typer.Option("--action", help="What to do then.")] = (
        IdleAction.HIBERNATE
    ),
    warn: Annotated[
        str, typer.Option("--warn", help="Warn this long before acting (0 for no warning).")
    ] = "5m",
    replace: Annotated[
        bool, typer.Option("--replace", help="Change an existing policy (default too).")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "PolicyResult":
    """Create an idle policy. Hibernate stops instead where a workstation cannot hibernate.

    Examples:

      prism idle policy create quick --idle 30m --action hibernate --warn 5m

      prism idle policy create nightly --idle 2h --action stop

      prism idle policy create default --idle 90m --replace
    """
    from prism.idle.model import PolicyResult

    body = {
        "name": name,
        "idle_minutes": parse_minutes(idle, "--idle"),
        "action": action,
        "warn_minutes": parse_minutes(warn, "--warn", allow_zero=True),
        "replace": replace,
    }
    return daemon_client().call("POST", "/api/v1/idle/policies", PolicyResult, body=body)


def _policies_view(result: "PolicyList") -> "RenderableType":
    from rich.table import Table

    table = Table(title="Idle policies", title_justify="left")
    for column in ("name", "policy", "applies to"):
        table.add_column(column)
    for p in result.policies:
        where = [f"{a.scope} {a.target}" for a in result.assignments if a.policy == p.name]
        if p.name == "default":
            where.insert(0, "every workstation without another")
        table.add_row(p.name, p.describe(), ", ".join(where) or "-")
    opted_out = [f"{a.scope} {a.target}" for a in result.assignments if a.policy == "none"]
    if opted_out:
        table.add_row("none", "no idle policy", ", ".join(opted_out))
    return table


@policy_app.command("list")
@renders(_policies_view)
def policy_list(output: OutputOption = OutputFormat.TABLE) -> "PolicyList":
    """List idle policies and where each applies.

    Examples:

      prism idle policy list --output json
    """
    from prism.idle.model import PolicyList

    return daemon_client().call("GET", "/api/v1/idle/policies", PolicyList)


def _deleted_view(result: "PolicyResult") -> str:
    return f"Deleted idle policy {result.policy.name}."


@policy_app.command("delete")
@renders(_deleted_view)
def policy_delete(
    name: Annotated[str, typer.Argument(help="Policy name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "PolicyResult":
    """Delete an idle policy (refused while it applies anywhere).

    Examples:

      prism idle policy delete quick
    """
    from prism.idle.model import PolicyResult

    return daemon_client().call("DELETE", f"/api/v1/idle/policies/{name}", PolicyResult)


def _apply_view(result: "AssignmentResult") -> str:
    a = result.assignment
    what = "no idle policy" if a.policy == "none" else f"idle policy {a.policy}"
    scope = "" if a.scope == "workstation" else f"every workstation of {a.scope} "
    changed = ", ".join(result.workstations) or "none yet"
    return f"{scope}{a.target} now has {what} (workstations: {changed})."


@app.command("apply")
@renders(_apply_view)
def apply(
    policy: Annotated[str, typer.Argument(help="Policy name, or 'none' for no idle policy.")],
    name: Annotated[str | None, typer.Argument(help="A workstation.")] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="Every workstation of a project.")
    ] = None,
    template: Annotated[
        str | None, typer.Option("--template", help="Every workstation of a template.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "AssignmentResult":
    """Apply a policy to a workstation, a project or a template; the most specific wins.

    Examples:

      prism idle apply quick demo

      prism idle apply nightly --project genomics

      prism idle apply none demo
    """
    from prism.idle.model import AssignmentResult

    given = [
        (s, t)
        for s, t in (("workstation", name), ("project", project), ("template", template))
        if t
    ]
    if len(given) != 1:
        raise ToolError(
            "PRISM_IDLE_APPLY_TARGET",
            "Apply a policy to exactly one thing: a workstation NAME, --project P or --template T.",
            suggestions=["prism idle apply quick demo", "prism idle apply quick --project lab"],
            exit_code=ExitCode.USAGE,
        )
    scope, target = given[0]
    body = {"policy": policy, "scope": scope, "target": target}
    return daemon_client().call("POST", "/api/v1/idle/assignments", AssignmentResult, body=body)


def _status_view(result: "IdleStatusList") -> "RenderableType":
    from rich.markup import escape
    from rich.table import Table

    if not result.statuses:
        return "No workstations."
    table = Table(title="Idle", title_justify="left")
    for column in ("name", "state", "policy", "idle", "signal", "next"):
        table.add_column(column)
    for s in result.statuses:
        idle = "-" if s.idle_minutes is None else f"{s.idle_minutes:.0f} min"
        policy = s.policy.name if s.policy else "none"
        label = f"{s.workstation} (simulated)" if s.simulated else s.workstation
        table.add_row(label, s.state, policy, idle, s.signal, escape(s.next))
    return table


@app.command("status")
@renders(_status_view)
def status(
    name: Annotated[str | None, typer.Argument(help="One workstation (default: all).")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "IdleStatusList":
    """Per workstation: idle for how long, its policy, what happens next and when.

    Examples:

      prism idle status

      prism idle status demo --output json
    """
    from prism.idle.model import IdleStatusList

    params = {"name": name} if name else None
    return daemon_client().call("GET", "/api/v1/idle/status", IdleStatusList, params=params)


def _simulate_view(result: "SimulateResult") -> str:
    from rich.markup import escape

    s = result.status
    if result.notice:
        stderr_console().print(f"[yellow]Notice:[/yellow] {escape(result.notice)}")
    idle = "" if not s.idle_minutes else f"idle {s.idle_minutes:.0f} min; "
    warned = f"warned at {_when(s.warned_at)} UTC; " if s.warned_at else ""
    return f"{s.workstation} (simulated): {idle}{warned}{escape(s.next)}"


@app.command("simulate")
@renders(_simulate_view)
def simulate(
    name: NameArg,
    idle: Annotated[
        str | None, typer.Option("--idle", help="Publish idle samples for this long: 40m, 2h.")
    ] = None,
    active: Annotated[
        bool, typer.Option("--active", help="Publish one sample of activity (the bump).")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "SimulateResult":
    """Sandbox only: publish the samples a workstation's idle agent would, then let prismd
    look at it at once (warning, hibernating or stopping it as its policy says).

    Examples:

      prism idle simulate demo --idle 40m

      prism idle simulate demo --active
    """
    from prism.idle.model import SimulateResult

    body = {
        "idle_minutes": parse_minutes(idle, "--idle") if idle else 0,
        "active": active,
    }
    return daemon_client().call("POST", f"/api/v1/idle/{name}/simulate", SimulateResult, body=body)
