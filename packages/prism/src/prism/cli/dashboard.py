"""`prism dashboard`: the login URL of the dashboard prismd serves (started if it is not running),
opened in the browser unless told not to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stdout_console
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from prism.daemon.dashboard_results import DashboardResult

dashboard_app = typer.Typer(add_completion=False)


def _view(result: DashboardResult) -> None:
    link = result.dashboard
    opened = " (opened in your browser)" if link.opened else ""
    # Soft-wrapped: the terminal folds long lines, so the URL is copied whole.
    stdout_console().print(
        f"The dashboard{opened}, logged in as {link.user}:\n{link.url}\n"
        "The link works once, within 5 minutes; run prism dashboard again for a new one.",
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


@dashboard_app.command("dashboard")
@renders(_view)
def dashboard(
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open it in this machine's browser.")
    ] = True,
    output: OutputOption = OutputFormat.TABLE,
) -> DashboardResult:
    """Open prism's dashboard in the browser: workstations live, launch with progress, costs
    with budgets, resource use, notifications. Served by prismd (started when it is not
    running), behind the same token as its API: the printed URL logs one browser in, once.

    A team member's dashboard (a shared prismd) shows what their role allows; actions it does
    not allow are refused on the page with the reason.

    Examples:

      prism dashboard

      prism dashboard --no-open

      prism dashboard --no-open --output json
    """
    import webbrowser

    from prism.daemon.dashboard_results import (
        DashboardLink,
        DashboardLogin,
        DashboardResult,
        ViewerResult,
    )

    client = daemon_client()
    login = client.call("POST", "/api/v1/dashboard/login", DashboardLogin)
    if not login.built:
        raise ToolError(
            "PRISM_DASHBOARD_NOT_BUILT",
            "prismd has no dashboard to serve: its web page was not built into the package.",
            suggestions=[
                "In the repository: make ui (Node.js 20+ and npm), then run prism dashboard again",
                "The CLI and the REST API work without it (prism list, prism tui).",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        )
    viewer = client.call("GET", "/api/v1/dashboard/viewer", ViewerResult).viewer
    url = f"{client.ensure_running().url}{login.path}"
    opened = bool(open_browser and webbrowser.open(url))
    return DashboardResult(dashboard=DashboardLink(url=url, opened=opened, user=viewer.user))
