"""`prism project space create|info`: a project's shared EFS space, an access point per member."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.team.model import SpaceResult

app = typer.Typer(
    help="A project's shared space: one EFS volume, team/ for the project, and users/NAME for"
    " each member through their own access point (owned by their UID)."
)

ProjectArg = Annotated[str, typer.Argument(help="Project name.")]
_PERMISSIONS = ("read", "write", "admin")


def _space_view(result: "SpaceResult") -> "RenderableType":
    from rich.table import Table

    space = result.space
    table = Table(
        "User",
        "UID",
        "Permission",
        "Access point",
        "Directory",
        title=f"Space of {space.project}: {space.volume} ({space.file_system_id}), mounted at"
        f" {space.mount_point}; team/ via {space.team_access_point_id} (group {space.group})",
    )
    for a in space.users:
        table.add_row(a.user, str(a.uid), a.permission.value, a.access_point_id, a.directory)
    return table


def _permissions(values: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values or []:
        user, _, permission = value.partition("=")
        if not user or permission not in _PERMISSIONS:
            raise ToolError(
                "PRISM_SPACE_PERMISSION_INVALID",
                f"--permission {value!r} is not USER=read|write|admin.",
                suggestions=["e.g. --permission ada=admin --permission grace=read"],
                exit_code=ExitCode.USAGE,
            )
        found[user] = permission
    return found


@app.command("create")
@renders(_space_view)
def create(
    project: ProjectArg,
    permission: Annotated[
        list[str] | None,
        typer.Option(
            "--permission",
            help="USER=read|write|admin; repeatable. Default by role: viewer read, member"
            " write, admin and owner admin.",
        ),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "SpaceResult":
    """Make the project's shared space, or give members invited since their access point.

    Every workstation launched into the project mounts it (team/ and each research user's
    directory, their home).

    Examples:

      prism project space create genomics

      prism project space create genomics --permission grace=read
    """
    from prism.team.model import SpaceResult

    body = {"permissions": _permissions(permission)}
    return daemon_client().call("POST", f"/api/v1/projects/{project}/space", SpaceResult, body=body)


@app.command("info")
@renders(_space_view)
def info(project: ProjectArg, output: OutputOption = OutputFormat.TABLE) -> "SpaceResult":
    """Show the project's space: its volume and each member's access point.

    Examples:

      prism project space info genomics -o json
    """
    from prism.team.model import SpaceResult

    return daemon_client().call("GET", f"/api/v1/projects/{project}/space", SpaceResult)
