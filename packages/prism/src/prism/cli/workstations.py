"""`prism launch|list|info|stop|start|hibernate|resume|delete`."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders
from prism.cli.launch import launch
from prism.cli.render import workstation_detail, workstation_table, workstation_view
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from prism.workstations.results import WorkstationList, WorkstationResult

__all__ = ["register"]

NameArg = Annotated[str, typer.Argument(help="Workstation name.")]


@renders(workstation_table)
def list_workstations(output: OutputOption = OutputFormat.TABLE) -> "WorkstationList":
    """List workstations, checked against EC2 right now.

    Examples:

      prism list

      prism list --output json
    """
    from prism.workstations.results import WorkstationList

    return daemon_client().call("GET", "/api/v1/workstations", WorkstationList)


@renders(workstation_detail)
def info(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "WorkstationResult":
    """Show one workstation in detail.

    Examples:

      prism info demo

      prism info demo --output json
    """
    return _get(name)


def _get(name: str) -> "WorkstationResult":
    from prism.workstations.results import WorkstationResult

    return daemon_client().call("GET", f"/api/v1/workstations/{name}", WorkstationResult)


def _act(action: str, name: str) -> "WorkstationResult":
    from prism.workstations.results import WorkstationResult

    return daemon_client().call("POST", f"/api/v1/workstations/{name}/{action}", WorkstationResult)


@renders(workstation_view)
def stop(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "WorkstationResult":
    """Stop a workstation: compute billing ends, its disks (and their cost) stay.

    Examples:

      prism stop demo
    """
    return _act("stop", name)


@renders(workstation_view)
def start(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "WorkstationResult":
    """Start a stopped workstation.

    Examples:

      prism start demo
    """
    return _act("start", name)


@renders(workstation_view)
def hibernate(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "WorkstationResult":
    """Hibernate a workstation (memory kept on disk); stops it when it can't hibernate.

    Examples:

      prism hibernate demo
    """
    return _act("hibernate", name)


@renders(workstation_view)
def resume(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "WorkstationResult":
    """Resume a hibernated workstation where it left off.

    Examples:

      prism resume demo
    """
    return _act("resume", name)


@renders(workstation_view)
def delete(
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "WorkstationResult":
    """Delete a workstation and its root disk. Asks first unless --yes.

    Examples:

      prism delete demo

      prism delete demo --yes
    """
    from prism.workstations.results import WorkstationResult

    if not yes:
        ws = _get(name).workstation
        simulated = ", simulated" if ws.simulated else ""
        question = f"Delete {name} ({ws.template_name}, {ws.profile} / {ws.region}{simulated})"
        if not confirm(f"{question} and its root disk?"):
            raise ToolError(
                "PRISM_DELETE_DECLINED",
                f"Nothing was deleted: you declined to delete {name}.",
                suggestions=[f"To delete it without being asked: prism delete {name} --yes"],
                exit_code=ExitCode.FAILURE,
            )
    deleted = daemon_client().call("DELETE", f"/api/v1/workstations/{name}", WorkstationResult)
    from prism.cli.editors import forget_workstation

    forget_workstation(name)
    return deleted


def register(app: typer.Typer) -> None:
    app.command("launch")(launch)
    app.command("list")(list_workstations)
    app.command("info")(info)
    app.command("stop")(stop)
    app.command("start")(start)
    app.command("hibernate")(hibernate)
    app.command("resume")(resume)
    app.command("delete")(delete)
