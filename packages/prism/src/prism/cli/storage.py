"""`prism volume ...` (EFS, shared) and `prism storage ...` (EBS disks, one workstation)."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders
from prism.choices import DiskType
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.cloud.storage_model import DiskList, DiskResult, VolumeList, VolumeResult

volume_app = typer.Typer(help="EFS volumes: shared folders that many workstations can mount.")
storage_app = typer.Typer(help="EBS storage: a disk for one workstation at a time.")

NameArg = Annotated[str, typer.Argument(help="Volume or storage name.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]
ProjectOption = Annotated[
    str | None, typer.Option("--project", help="The project it belongs to (and its budget).")
]
WorkstationArg = Annotated[str, typer.Argument(help="Workstation name.")]
Body = Mapping[str, object]
Params = Mapping[str, str]


def _simulated(simulated: bool) -> str:
    return " [magenta](simulated)[/magenta]" if simulated else ""


def confirm_or_stop(question: str, command: str) -> None:
    """Ask before deleting data; a no (or no answer) is an error that deleted nothing."""
    if not confirm(question):
        raise ToolError(
            "PRISM_DELETE_DECLINED",
            "Nothing was deleted: you declined.",
            suggestions=[f"To delete without being asked: {command} --yes"],
            exit_code=ExitCode.FAILURE,
        )


def _volume_call(
    method: str, path: str, *, body: Body | None = None, params: Params | None = None
) -> "VolumeResult":
    from prism.cloud.storage_model import VolumeResult

    return daemon_client().call(method, path, VolumeResult, body=body, params=params)


def _disk_call(method: str, path: str, *, body: Body | None = None) -> "DiskResult":
    from prism.cloud.storage_model import DiskResult

    return daemon_client().call(method, path, DiskResult, body=body)


def _volume_view(result: "VolumeResult") -> str:
    from groundwork.output import stderr_console

    if result.notice:
        stderr_console().print(f"[magenta]Note:[/magenta] {result.notice}", highlight=False)
    v, mount = result.volume, result.mount
    if mount is not None and mount.workstation in v.mounted_on:
        what = f"Mounted {v.name} on {mount.workstation} at {mount.mount_point}"
    elif mount is not None:
        what = f"Unmounted {v.name} from {mount.workstation}"
    else:
        what = f"Volume [bold]{v.name}[/bold] ({v.file_system_id}) is {v.state}"
    return what + _simulated(result.simulated)


@volume_app.command("create")
@renders(_volume_view)
def volume_create(
    name: NameArg,
    project: ProjectOption = None,
    backup: Annotated[
        bool, typer.Option("--backup", help="AWS Backup's daily backups from the start.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "VolumeResult":
    """Create an encrypted EFS volume with a mount target in every zone.

    Examples:

      prism volume create shared-data

      prism volume create lab-data --project genomics --backup
    """
    body = {"name": name, "project": project, "backup": backup}
    return _volume_call("POST", "/api/v1/volumes", body=body)


def _volume_list_view(result: "VolumeList") -> "RenderableType":
    from rich.table import Table

    table = Table(title="Volumes (EFS)", title_justify="left")
    for column in ("name", "file system", "state", "stored", "backups", "project", "mounted on"):
        table.add_column(column)
    for v in result.volumes:
        table.add_row(
            v.name,
            v.file_system_id,
            v.state,
            f"{v.size_bytes / 2**30:.2f} GiB",
            (v.backup or "-").lower(),
            v.project or "-",
            ", ".join(v.mounted_on) or "-",
        )
    return table


@volume_app.command("list")
@renders(_volume_list_view)
def volume_list(output: OutputOption = OutputFormat.TABLE) -> "VolumeList":
    """List EFS volumes and where they are mounted.

    Examples:

      prism volume list --output json
    """
    from prism.cloud.storage_model import VolumeList

    return daemon_client().call("GET", "/api/v1/volumes", VolumeList)


@volume_app.command("mount")
@renders(_volume_view)
def volume_mount(
    name: NameArg,
    workstation: WorkstationArg,
    mount_point: Annotated[str, typer.Option("--at", help="Mount point (default /mnt/NAME).")] = "",
    output: OutputOption = OutputFormat.TABLE,
) -> "VolumeResult":
    """Mount a volume on a running workstation (through SSM; kept across reboots).

    Examples:

      prism volume mount shared-data demo

      prism volume mount shared-data demo --at /data
    """
    body = {"workstation": workstation, "mount_point": mount_point}
    return _volume_call("POST", f"/api/v1/volumes/{name}/mount", body=body)


@volume_app.command("unmount")
@renders(_volume_view)
def volume_unmount(
    name: NameArg, workstation: WorkstationArg, output: OutputOption = OutputFormat.TABLE
) -> "VolumeResult":
    """Unmount a volume from a workstation.

    Examples:

      prism volume unmount shared-data demo
    """
    body = {"workstation": workstation}
    return _volume_call("POST", f"/api/v1/volumes/{name}/unmount", body=body)


def _deleted_volume_view(result: "VolumeResult") -> str:
    return f"Deleted volume {result.volume.name}{_simulated(result.simulated)}."


@volume_app.command("delete")
@renders(_deleted_volume_view)
def volume_delete(
    name: NameArg,
    force: Annotated[bool, typer.Option("--force", help="Delete even if mounted.")] = False,
    yes: YesOption = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "VolumeResult":
    """Delete a volume and its files (refused while mounted, unless --force). Asks first
    unless --yes.

    Examples:

      prism volume delete shared-data

      prism volume delete shared-data --yes
    """
    if not yes:
        from prism.cloud.storage_model import VolumeList

        volumes = daemon_client().call("GET", "/api/v1/volumes", VolumeList).volumes
        found = next((v for v in volumes if v.name == name), None)
        refused = found is not None and found.mounted_on and not force  # prismd says why
        if found is not None and not refused:
            mounted = f", mounted on {', '.join(found.mounted_on)}" if found.mounted_on else ""
            confirm_or_stop(
                f"Delete volume {name} ({found.size_bytes / 2**30:.2f} GiB stored{mounted})"
                " and every file on it?",
                f"prism volume delete {name}",
            )
    params = {"force": "true" if force else "false"}
    return _volume_call("DELETE", f"/api/v1/volumes/{name}", params=params)


def _disk_view(result: "DiskResult") -> str:
    d = result.disk
    attached = f", attached to {d.attached_to} as {d.device}" if d.attached_to else ""
    return (
        f"Storage [bold]{d.name}[/bold]: {d.size_gb} GiB {d.volume_type} in"
        f" {d.availability_zone}, {d.state}{attached}{_simulated(result.simulated)}"
    )


_UNITS = {"": 1, "g": 1, "gb": 1, "gib": 1, "t": 1024, "tb": 1024, "tib": 1024}


def parse_disk_size(text: str) -> int:
    """``100``, ``100G``, ``500GiB``, ``1T``: a size in GiB, as --size takes it."""
    import re

    from groundwork.errors import ExitCode, ToolError

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    factor = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or factor is None:
        raise ToolError(
            "PRISM_SIZE_INVALID",
            f"--size {text!r} is not a disk size.",
            suggestions=[
                "Give GiB or TiB: --size 100G, --size 500GiB, --size 2T (a number is GiB)."
            ],
            exit_code=ExitCode.USAGE,
        )
    size = float(match.group(1)) * factor
    if not size.is_integer() or not 1 <= size <= 16384:
        raise ToolError(
            "PRISM_SIZE_INVALID",
            f"--size {text!r} is {size:g} GiB; EBS takes whole GiB from 1 to 16384 (16 TiB).",
            suggestions=["e.g. --size 100G or --size 1T"],
            exit_code=ExitCode.USAGE,
        )
    return int(size)


@storage_app.command("create")
@renders(_disk_view)
def storage_create(
    name: NameArg,
    size: Annotated[
        str, typer.Option("--size", help="Size with a unit: 100G, 500GiB, 2T (a number is GiB).")
    ] = "100G",
    size_gb: Annotated[
        int | None,
        typer.Option(
            "--size-gb", min=1, max=16384, help="Size in GiB (same as --size N).", hidden=True
        ),
    ] = None,
    volume_type: Annotated[DiskType, typer.Option("--type", help="EBS volume type.")] = (
        DiskType.GP3
    ),
    workstation: Annotated[
        str | None, typer.Option("--workstation", help="Create it in this workstation's zone.")
    ] = None,
    project: ProjectOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "DiskResult":
    """Create an encrypted EBS disk (in the workstation's project, unless --project).

    Examples:

      prism storage create scratch --size 500G --workstation demo

      prism storage create archive --size 2T --type st1
    """
    body = {
        "name": name,
        "size_gb": size_gb if size_gb is not None else parse_disk_size(size),
        "volume_type": volume_type,
        "workstation": workstation,
        "project": project,
    }
    return _disk_call("POST", "/api/v1/storage", body=body)


def _disk_list_view(result: "DiskList") -> "RenderableType":
    from rich.table import Table

    table = Table(title="Storage (EBS)", title_justify="left")
    for column in ("name", "volume", "size", "type", "zone", "state", "attached to"):
        table.add_column(column)
    for d in result.disks:
        table.add_row(
            d.name,
            d.volume_id,
            f"{d.size_gb} GiB",
            d.volume_type,
            d.availability_zone,
            d.state,
            d.attached_to or "-",
        )
    return table


@storage_app.command("list")
@renders(_disk_list_view)
def storage_list(output: OutputOption = OutputFormat.TABLE) -> "DiskList":
    """List EBS storage and what it is attached to.

    Examples:

      prism storage list
    """
    from prism.cloud.storage_model import DiskList

    return daemon_client().call("GET", "/api/v1/storage", DiskList)


@storage_app.command("attach")
@renders(_disk_view)
def storage_attach(
    name: NameArg,
    workstation: WorkstationArg,
    device: Annotated[str, typer.Option("--device", help="Device name.")] = "/dev/sdf",
    output: OutputOption = OutputFormat.TABLE,
) -> "DiskResult":
    """Attach storage to a workstation in the same zone.

    Examples:

      prism storage attach scratch demo
    """
    body = {"workstation": workstation, "device": device}
    return _disk_call("POST", f"/api/v1/storage/{name}/attach", body=body)


@storage_app.command("detach")
@renders(_disk_view)
def storage_detach(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "DiskResult":
    """Detach storage from its workstation.

    Examples:

      prism storage detach scratch
    """
    return _disk_call("POST", f"/api/v1/storage/{name}/detach")


def _deleted_disk_view(result: "DiskResult") -> str:
    return f"Deleted storage {result.disk.name}{_simulated(result.simulated)}."


@storage_app.command("delete")
@renders(_deleted_disk_view)
def storage_delete(
    name: NameArg, yes: YesOption = False, output: OutputOption = OutputFormat.TABLE
) -> "DiskResult":
    """Delete storage and its data (refused while attached). Asks first unless --yes.

    Examples:

      prism storage delete scratch

      prism storage delete scratch --yes
    """
    if not yes:
        from prism.cloud.storage_model import DiskList

        disks = daemon_client().call("GET", "/api/v1/storage", DiskList).disks
        found = next((d for d in disks if d.name == name), None)
        if found is not None and not found.attached_to:  # attached: prismd refuses, saying why
            confirm_or_stop(
                f"Delete storage {name} ({found.size_gb} GiB {found.volume_type}) and its data?",
                f"prism storage delete {name}",
            )
    return _disk_call("DELETE", f"/api/v1/storage/{name}")
