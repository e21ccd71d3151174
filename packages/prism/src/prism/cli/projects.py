"""`prism project create|list|info|budget|delete`."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from prism.choices import BudgetAction, BudgetBasis, BudgetPeriod
from prism.cli import project_templates, spaces
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.projects.model import ProjectList, ProjectResult, ProjectView

app = typer.Typer(
    help="Projects: workstations and storage that belong together, with a budget prismd"
    " watches (alerts, and at each threshold: notify, hibernate_all, stop_all or"
    " prevent_launch)."
)

app.add_typer(spaces.app, name="space")
app.add_typer(project_templates.app, name="template")

NameArg = Annotated[str, typer.Argument(help="Project name (lower case, digits, '-').")]
DEFAULT_ALERTS = ("50:notify", "80:notify", "100:prevent_launch")
AmountOption = Annotated[float | None, typer.Option("--budget", min=0.01, help="Budget in USD.")]
PeriodOption = Annotated[
    BudgetPeriod, typer.Option("--period", help="Per calendar month, or in total.")
]
AlertOption = Annotated[
    list[str] | None,
    typer.Option(
        "--alert",
        help="PERCENT:ACTION, repeat for several (default 50:notify 80:notify"
        " 100:prevent_launch). Actions: notify, hibernate_all, stop_all, prevent_launch."
        " PERCENT:notify:forecast alerts when the projected spend crosses it.",
    ),
]
EndsOption = Annotated[
    str | None, typer.Option("--ends", help="A total budget's last day (YYYY-MM-DD).")
]


def parse_alert(text: str) -> dict[str, Any]:
    percent, _, rest = text.partition(":")
    action, _, basis = rest.partition(":")
    try:
        value = float(percent.strip().rstrip("%"))
        chosen = BudgetAction(action.strip() or BudgetAction.NOTIFY)
        on = BudgetBasis(basis.strip() or BudgetBasis.SPENT)
    except ValueError:
        value, chosen, on = -1.0, BudgetAction.NOTIFY, BudgetBasis.SPENT
    if not 0 < value <= 1000:
        actions = ", ".join(a.value for a in BudgetAction)
        raise ToolError(
            "PRISM_BUDGET_ALERT_INVALID",
            f"--alert {text!r} is not PERCENT:ACTION or PERCENT:notify:forecast.",
            suggestions=[
                f"e.g. --alert 80:notify --alert 100:stop_all (actions: {actions})",
                "An early warning on the projection: --alert 80:notify:forecast",
            ],
            exit_code=ExitCode.USAGE,
        )
    if on is BudgetBasis.FORECAST and chosen is not BudgetAction.NOTIFY:
        raise ToolError(
            "PRISM_BUDGET_ALERT_INVALID",
            f"--alert {text!r}: a forecast threshold only notifies; nothing is stopped or"
            " refused for money not spent yet.",
            suggestions=[
                f"--alert {value:g}:notify:forecast, and --alert {value:g}:{chosen} on spend",
                "A launch that would cross a prevent_launch threshold by the period's end is"
                " refused already.",
            ],
            exit_code=ExitCode.USAGE,
        )
    return {"percent": value, "action": chosen, "on": on}


def budget_body(
    amount: float, period: BudgetPeriod, alerts: list[str] | None, ends: str | None
) -> dict[str, Any]:
    if ends and period is not BudgetPeriod.TOTAL:
        raise ToolError(
            "PRISM_BUDGET_ENDS_MONTHLY",
            "--ends is for a total budget: a monthly one ends every month.",
            suggestions=["Add --period total, or drop --ends."],
            exit_code=ExitCode.USAGE,
        )
    return {
        "amount_usd": amount,
        "period": period,
        "thresholds": [parse_alert(a) for a in alerts or DEFAULT_ALERTS],
        "ends": ends,
    }


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _budget_line(view: "ProjectView") -> str:
    budget, status = view.budget, view.status
    if budget is None or status is None:
        return "no budget"
    line = (
        f"{_money(status.spent_usd)} of {_money(budget.amount_usd)} {budget.period}"
        f" ({status.percent:.0f}%), burning ${status.burn_usd_per_hour:,.4f}/h"
    )
    if status.projected_usd is not None:
        line += f", heading for {_money(status.projected_usd)}"
    if status.runs_out_at is not None:
        line += f"; runs out {status.runs_out_at:%Y-%m-%d %H:%M} UTC at this rate"
    if not status.launches_allowed:
        line += "; launches refused"
    return line


def _project_view(result: "ProjectResult") -> "RenderableType":
    from rich.markup import escape
    from rich.table import Table

    p = result.project
    table = Table(show_header=False, title=f"[bold]Project {p.name}[/bold]", title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    if p.description:
        table.add_row("description", escape(p.description))
    table.add_row("budget", escape(_budget_line(p)))
    if p.budget:
        marks = ", ".join(
            f"{t.percent:g}%{' forecast' if t.on == 'forecast' else ''}: {t.action}"
            for t in p.budget.thresholds
        )
        table.add_row("thresholds", marks)
    table.add_row("workstations", ", ".join(p.workstations) or "-")
    table.add_row("storage", ", ".join(p.storage) or "-")
    for alert in p.alerts:
        if alert.projected_usd is not None:
            heading = _money(alert.projected_usd)
            crossed = f"{alert.percent:g}% forecast crossed (heading for {heading}"
        else:
            crossed = f"{alert.percent:g}% crossed ({_money(alert.spent_usd)}"
        table.add_row(
            "alert",
            escape(
                f"{alert.crossed_at:%Y-%m-%d %H:%M} {crossed} of {_money(alert.amount_usd)}):"
                f" {alert.outcome}"
            ),
        )
    return table


@app.command("create")
@renders(_project_view)
def create(
    name: NameArg,
    description: Annotated[str, typer.Option("--description", help="One line.")] = "",
    budget: AmountOption = None,
    period: PeriodOption = BudgetPeriod.MONTHLY,
    alert: AlertOption = None,
    ends: EndsOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ProjectResult":
    """Create a project, with a budget if --budget is given.

    Examples:

      prism project create genomics --budget 500

      prism project create thesis --budget 2000 --period total --ends 2026-06-30

      prism project create lab --budget 100 --alert 80:notify --alert 100:stop_all

      prism project create lab --budget 40 --period total --alert 50:notify:forecast
    """
    from prism.projects.model import ProjectResult

    body: dict[str, Any] = {"name": name, "description": description}
    if budget is not None:
        body["budget"] = budget_body(budget, period, alert, ends)
    return daemon_client().call("POST", "/api/v1/projects", ProjectResult, body=body)


def _list_view(result: "ProjectList") -> "RenderableType":
    from rich.markup import escape
    from rich.table import Table

    if not result.projects:
        return "No projects yet. Create one: prism project create NAME --budget 100"
    table = Table(title="Projects", title_justify="left")
    for column in ("name", "budget", "workstations"):
        table.add_column(column)
    for p in result.projects:
        table.add_row(p.name, escape(_budget_line(p)), ", ".join(p.workstations) or "-")
    return table


@app.command("list")
@renders(_list_view)
def list_projects(output: OutputOption = OutputFormat.TABLE) -> "ProjectList":
    """List projects with their spend.

    Examples:

      prism project list --output json
    """
    from prism.projects.model import ProjectList

    return daemon_client().call("GET", "/api/v1/projects", ProjectList)


@app.command("info")
@renders(_project_view)
def info(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "ProjectResult":
    """A project: spend, burn rate, projection, the date its budget runs out, its alerts.

    Examples:

      prism project info genomics
    """
    from prism.projects.model import ProjectResult

    return daemon_client().call("GET", f"/api/v1/projects/{name}", ProjectResult)


@app.command("budget")
@renders(_project_view)
def budget(
    name: NameArg,
    amount: Annotated[
        float | None, typer.Argument(min=0.01, help="Budget in USD (leave out with --remove).")
    ] = None,
    period: PeriodOption = BudgetPeriod.MONTHLY,
    alert: AlertOption = None,
    ends: EndsOption = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the budget.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "ProjectResult":
    """Set, change or remove a project's budget.

    Examples:

      prism project budget genomics 800

      prism project budget genomics 800 --alert 90:hibernate_all --alert 100:prevent_launch

      prism project budget genomics --remove
    """
    from prism.projects.model import ProjectResult

    if (amount is None) == (not remove):
        raise ToolError(
            "PRISM_BUDGET_AMOUNT_MISSING",
            "Give an amount, or --remove to remove the budget.",
            suggestions=[
                f"prism project budget {name} 500",
                f"prism project budget {name} --remove",
            ],
            exit_code=ExitCode.USAGE,
        )
    body = {
        "budget": None if remove or amount is None else budget_body(amount, period, alert, ends)
    }
    return daemon_client().call("PUT", f"/api/v1/projects/{name}/budget", ProjectResult, body=body)


def _deleted_view(result: "ProjectResult") -> str:
    return f"Deleted project {result.project.name}."


@app.command("delete")
@renders(_deleted_view)
def delete(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "ProjectResult":
    """Delete a project (refused while workstations or storage belong to it).

    Examples:

      prism project delete thesis
    """
    from prism.projects.model import ProjectResult

    return daemon_client().call("DELETE", f"/api/v1/projects/{name}", ProjectResult)
