"""`prism snapshot create|list|delete|restore` and `prism save NAME --as-template T`."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders, stderr_console
from prism.choices import Size
from prism.cli.launch import LaunchProgress, template_path
from prism.cli.render import launch_view
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.cloud.snapshot_model import SaveResult, SnapshotList, SnapshotResult
    from prism.workstations.results import LaunchResult

app = typer.Typer(help="Snapshots of a workstation's disks, and new workstations from them.")
save_app = typer.Typer()

SnapshotArg = Annotated[str, typer.Argument(help="Snapshot name (prism snapshot list).")]


def _simulated(simulated: bool) -> str:
    return " [magenta](simulated)[/magenta]" if simulated else ""


def _snapshot_view(result: "SnapshotResult") -> str:
    s = result.snapshot
    disks = ", ".join(f"{d.device} {d.size_gb} GiB" for d in s.disks)
    return (
        f"Snapshot [bold]{s.name}[/bold] of {s.workstation}: {disks}; {s.state},"
        f" about ${s.monthly_usd:.2f}/month{_simulated(result.simulated)}"
    )


@app.command("create")
@renders(_snapshot_view)
def create(
    workstation: Annotated[str, typer.Argument(help="The workstation whose disks to snapshot.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Snapshot name (default WORKSTATION-DATE).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why it was taken (kept as a tag).")] = "",
    output: OutputOption = OutputFormat.TABLE,
) -> "SnapshotResult":
    """Snapshot every disk of a workstation (crash-consistent while it runs; stop it first for
    a clean one).

    Examples:

      prism snapshot create demo --note "before upgrading CUDA"

      prism snapshot create demo --name demo-baseline
    """
    from prism.cloud.snapshot_model import SnapshotResult

    body = {"workstation": workstation, "name": name, "note": note}
    return daemon_client().call("POST", "/api/v1/snapshots", SnapshotResult, body=body)


def _list_view(result: "SnapshotList") -> "RenderableType":
    from rich.markup import escape
    from rich.table import Table

    if not result.snapshots:
        return "No snapshots. Take one: prism snapshot create WORKSTATION"
    table = Table(title="Snapshots", title_justify="left")
    for column in ("name", "workstation", "template", "disks", "state", "taken", "$/month", "note"):
        table.add_column(column)
    for s in result.snapshots:
        table.add_row(
            s.name,
            s.workstation,
            escape(s.template),
            f"{len(s.disks)} ({s.size_gb} GiB)",
            s.state,
            f"{s.created:%Y-%m-%d %H:%M}",
            f"{s.monthly_usd:.2f}",
            escape(s.note),
        )
    return table


@app.command("list")
@renders(_list_view)
def list_snapshots(output: OutputOption = OutputFormat.TABLE) -> "SnapshotList":
    """List snapshots with their size and monthly cost.

    Examples:

      prism snapshot list --output json
    """
    from prism.cloud.snapshot_model import SnapshotList

    return daemon_client().call("GET", "/api/v1/snapshots", SnapshotList)


def _deleted_view(result: "SnapshotResult") -> str:
    return f"Deleted snapshot {result.snapshot.name}{_simulated(result.simulated)}."


@app.command("delete")
@renders(_deleted_view)
def delete(
    name: SnapshotArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "SnapshotResult":
    """Delete a snapshot and the disk copies it holds. Asks first unless --yes.

    Examples:

      prism snapshot delete demo-baseline --yes
    """
    from prism.cloud.snapshot_model import SnapshotList, SnapshotResult

    client = daemon_client()
    if not yes:
        found = client.call("GET", "/api/v1/snapshots", SnapshotList).snapshots
        match = next((s for s in found if s.name == name), None)
        if match is not None:
            question = (
                f"Delete snapshot {name} of {match.workstation} ({match.size_gb} GiB,"
                f" taken {match.created:%Y-%m-%d %H:%M})? Its copies of the disks are lost"
            )
            if not confirm(question):
                raise ToolError(
                    "PRISM_DELETE_DECLINED",
                    f"Nothing was deleted: you declined to delete snapshot {name}.",
                    suggestions=[
                        f"To delete it without being asked: prism snapshot delete {name} --yes"
                    ],
                    exit_code=ExitCode.FAILURE,
                )
    return client.call("DELETE", f"/api/v1/snapshots/{name}", SnapshotResult)


@app.command("restore")
@renders(launch_view)
def restore(
    name: SnapshotArg,
    as_name: Annotated[str, typer.Option("--as", help="The new workstation's name.")],
    size: Annotated[
        Size | None, typer.Option("--size", help="Default: the snapshotted workstation's.")
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Return once AWS accepted the launch.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "LaunchResult":
    """A new workstation from a snapshot: its disks as they were, its template's services.

    Examples:

      prism snapshot restore demo-baseline --as demo2

      prism snapshot restore demo-baseline --as demo-small --size S
    """
    from prism.daemon.follow import follow_launch
    from prism.workstations.results import LaunchResult

    client = daemon_client()
    body = {"name": as_name, "size": size, "wait": not no_wait, "template_dirs": template_path()}
    client.call("POST", f"/api/v1/snapshots/{name}/restore", LaunchResult, body=body)
    stderr_console().print(f"Restoring [bold]{as_name}[/bold] from snapshot {name}")
    with LaunchProgress(as_name) as shown:
        return follow_launch(
            client, as_name, on_progress=shown.update, on_reconnect=shown.reconnecting
        )


def _save_view(result: "SaveResult") -> str:
    if result.notice:
        stderr_console().print(f"[yellow]Notice:[/yellow] {result.notice}")
    image, template = result.image, result.template
    return (
        f"Saved {image.workstation} as image {image.image_id} ({image.state}) and template"
        f" [bold]{template.slug}[/bold]: prism launch {template.slug} NAME"
    )


@save_app.command("save")
@renders(_save_view)
def save(
    name: Annotated[str, typer.Argument(help="The workstation to save.")],
    as_template: Annotated[str, typer.Option("--as-template", help="The new template's slug.")],
    no_reboot: Annotated[
        bool,
        typer.Option("--no-reboot", help="Do not reboot it for a clean image (crash-consistent)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a template of that name.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "SaveResult":
    """Save a workstation as an image, and write a template of yours that launches it.

    The workstation reboots (unless --no-reboot) so its disks are copied clean.

    Examples:

      prism save demo --as-template demo-env

      prism launch demo-env demo2
    """
    from prism.cloud.snapshot_model import SaveResult

    body = {"workstation": name, "template": as_template, "reboot": not no_reboot, "force": force}
    return daemon_client().call("POST", "/api/v1/images", SaveResult, body=body)
