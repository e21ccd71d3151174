"""`prism volume ...` (EFS, shared), `prism storage ...` (EBS disks, one workstation) and
`prism cost`.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from prism.choices import DiskType
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.cloud.storage_model import DiskList, DiskResult, VolumeList, VolumeResult
    from prism.cost.model import CostReport

volume_app = typer.Typer(help="EFS volumes: shared folders that many workstations can mount.")
storage_app = typer.Typer(help="EBS storage: a disk for one workstation at a time.")

NameArg = Annotated[str, typer.Argument(help="Volume or storage name.")]
WorkstationArg = Annotated[str, typer.Argument(help="Workstation name.")]
Body = Mapping[str, object]
Params = Mapping[str, str]


def _simulated(simulated: bool) -> str:
    return " [magenta](simulated)[/magenta]" if simulated else ""


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
def volume_create(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "VolumeResult":
    """Create an encrypted EFS volume with a mount target in every zone.

    Examples:

      prism volume create shared-data
    """
    return _volume_call("POST", "/api/v1/volumes", body={"name": name})


def _volume_list_view(result: "VolumeList") -> "RenderableType":
    from rich.table import Table

    table = Table(title="Volumes (EFS)", title_justify="left")
    for column in ("name", "file system", "state", "mounted on"):
        table.add_column(column)
    for v in result.volumes:
        table.add_row(v.name, v.file_system_id, v.state, ", ".join(v.mounted_on) or "-")
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
    output: OutputOption = OutputFormat.TABLE,
) -> "VolumeResult":
    """Delete a volume and its files (refused while mounted, unless --force).

    Examples:

      prism volume delete shared-data
    """
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
    output: OutputOption = OutputFormat.TABLE,
) -> "DiskResult":
    """Create an encrypted EBS disk.

    Examples:

      prism storage create scratch --size 500G --workstation demo

      prism storage create archive --size 2T --type st1
    """
    body = {
        "name": name,
        "size_gb": size_gb if size_gb is not None else parse_disk_size(size),
        "volume_type": volume_type,
        "workstation": workstation,
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
def storage_delete(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> "DiskResult":
    """Delete storage and its data (refused while attached).

    Examples:

      prism storage delete scratch
    """
    return _disk_call("DELETE", f"/api/v1/storage/{name}")


def _cost_view(report: "CostReport") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    table = Table(title="Cost so far (USD)", title_justify="left")
    columns = ("name", "type", "$/hour", "running h", "stopped h", "compute", "storage", "total")
    for column in columns:
        table.add_column(column, justify="left" if column == "name" else "right")
    for c in report.costs:
        table.add_row(
            c.name + (" (simulated)" if c.simulated else ""),
            c.instance_type,
            f"{c.hourly_usd:.4f}",
            f"{c.running_hours:.2f}",
            f"{c.stopped_hours:.2f}",
            f"{c.compute_usd:.2f}",
            f"{c.storage_usd:.2f}",
            f"{c.total_usd:.2f}",
        )
    return Group(table, f"Total: ${report.total_usd:.2f}")


@renders(_cost_view)
def cost(
    name: Annotated[str | None, typer.Argument(help="One workstation (default: all).")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "CostReport":
    """What workstations have cost so far: compute while running, storage always.

    Examples:

      prism cost

      prism cost demo --output json
    """
    from prism.cost.model import CostReport

    params = {"name": name} if name else None
    return daemon_client().call("GET", "/api/v1/cost", CostReport, params=params)
