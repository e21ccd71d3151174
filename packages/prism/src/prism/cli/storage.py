"""`prism volume ...` (EFS, shared) and `prism storage ...` (EBS, one workstation)."""

from typing import Annotated, Any

import typer
from rich.table import Table

from groundwork.output import OutputFormat, OutputOption, emit_json
from prism.cli.render import console
from prism.home import home

volume_app = typer.Typer(help="EFS volumes: shared folders that many workstations can mount.")
storage_app = typer.Typer(help="EBS storage: a disk for one workstation at a time.")

NameArg = Annotated[str, typer.Argument(help="Volume or storage name.")]
WorkstationArg = Annotated[str, typer.Argument(help="Workstation name.")]


def _call(method: str, path: str, **kwargs: Any) -> Any:
    from prism.daemon.client import DaemonClient  # deferred: httpx and the service client

    return DaemonClient(home()).call(method, path, **kwargs)


def _simulated(reply: dict[str, Any]) -> str:
    return " [magenta](simulated)[/magenta]" if reply.get("simulated") else ""


@volume_app.command("create")
def volume_create(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Create an encrypted EFS volume with a mount target in every zone.

    Examples:

      prism volume create shared-data
    """
    reply = _call("POST", "/api/v1/volumes", json={"name": name})
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(
        f"Created volume [bold]{name}[/bold] ({reply['file_system_id']}){_simulated(reply)}"
    )


@volume_app.command("list")
def volume_list(output: OutputOption = OutputFormat.TABLE) -> None:
    """List EFS volumes and where they are mounted.

    Examples:

      prism volume list --output json
    """
    volumes = _call("GET", "/api/v1/volumes")
    if output is OutputFormat.JSON:
        emit_json(volumes)
        return
    table = Table(title="Volumes (EFS)", title_justify="left")
    for column in ("name", "file system", "state", "mounted on"):
        table.add_column(column)
    for v in volumes:
        table.add_row(v["name"], v["file_system_id"], v["state"], ", ".join(v["mounted_on"]) or "-")
    console.print(table)


@volume_app.command("mount")
def volume_mount(
    name: NameArg,
    workstation: WorkstationArg,
    mount_point: Annotated[str, typer.Option("--at", help="Mount point (default /mnt/NAME).")] = "",
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Mount a volume on a running workstation (through SSM; kept across reboots).

    Examples:

      prism volume mount shared-data demo

      prism volume mount shared-data demo --at /data
    """
    body = {"workstation": workstation, "mount_point": mount_point}
    reply = _call("POST", f"/api/v1/volumes/{name}/mount", json=body)
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Mounted {name} on {workstation} at {reply['mount_point']}{_simulated(reply)}")


@volume_app.command("unmount")
def volume_unmount(
    name: NameArg, workstation: WorkstationArg, output: OutputOption = OutputFormat.TABLE
) -> None:
    """Unmount a volume from a workstation.

    Examples:

      prism volume unmount shared-data demo
    """
    reply = _call("POST", f"/api/v1/volumes/{name}/unmount", json={"workstation": workstation})
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Unmounted {name} from {workstation}.")


@volume_app.command("delete")
def volume_delete(
    name: NameArg,
    force: Annotated[bool, typer.Option("--force", help="Delete even if mounted.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Delete a volume and its files (refused while mounted, unless --force).

    Examples:

      prism volume delete shared-data
    """
    reply = _call("DELETE", f"/api/v1/volumes/{name}", params={"force": force})
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Deleted volume {name}.")


@storage_app.command("create")
def storage_create(
    name: NameArg,
    size_gb: Annotated[int, typer.Option("--size-gb", help="Size in GiB.")] = 100,
    volume_type: Annotated[str, typer.Option("--type", help="gp3, gp2, io2, st1 or sc1.")] = "gp3",
    workstation: Annotated[
        str | None, typer.Option("--workstation", help="Create it in this workstation's zone.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Create an encrypted EBS disk.

    Examples:

      prism storage create scratch --size-gb 500 --workstation demo
    """
    body = {
        "name": name,
        "size_gb": size_gb,
        "volume_type": volume_type,
        "workstation": workstation,
    }
    reply = _call("POST", "/api/v1/storage", json=body)
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(
        f"Created storage [bold]{name}[/bold]: {reply['size_gb']} GiB {reply['volume_type']}"
        f" in {reply['availability_zone']}{_simulated(reply)}"
    )


@storage_app.command("list")
def storage_list(output: OutputOption = OutputFormat.TABLE) -> None:
    """List EBS storage and what it is attached to.

    Examples:

      prism storage list
    """
    found = _call("GET", "/api/v1/storage")
    if output is OutputFormat.JSON:
        emit_json(found)
        return
    table = Table(title="Storage (EBS)", title_justify="left")
    for column in ("name", "volume", "size", "type", "zone", "state", "attached to"):
        table.add_column(column)
    for s in found:
        table.add_row(
            s["name"],
            s["volume_id"],
            f"{s['size_gb']} GiB",
            s["volume_type"],
            s["availability_zone"],
            s["state"],
            s["attached_to"] or "-",
        )
    console.print(table)


@storage_app.command("attach")
def storage_attach(
    name: NameArg,
    workstation: WorkstationArg,
    device: Annotated[str, typer.Option("--device", help="Device name.")] = "/dev/sdf",
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Attach storage to a workstation in the same zone.

    Examples:

      prism storage attach scratch demo
    """
    body = {"workstation": workstation, "device": device}
    reply = _call("POST", f"/api/v1/storage/{name}/attach", json=body)
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Attached {name} to {workstation} as {device}.")


@storage_app.command("detach")
def storage_detach(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Detach storage from its workstation.

    Examples:

      prism storage detach scratch
    """
    reply = _call("POST", f"/api/v1/storage/{name}/detach")
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Detached {name}.")


@storage_app.command("delete")
def storage_delete(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Delete storage and its data (refused while attached).

    Examples:

      prism storage delete scratch
    """
    reply = _call("DELETE", f"/api/v1/storage/{name}")
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Deleted storage {name}.")


def cost(
    name: Annotated[str | None, typer.Argument(help="One workstation (default: all).")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """What workstations have cost so far: compute while running, storage always.

    Examples:

      prism cost

      prism cost demo --output json
    """
    reply = _call("GET", "/api/v1/cost", params={"name": name} if name else {})
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    table = Table(title="Cost so far (USD)", title_justify="left")
    for column in (
        "name",
        "type",
        "$/hour",
        "running h",
        "stopped h",
        "compute",
        "storage",
        "total",
    ):
        table.add_column(column, justify="right" if column != "name" else "left")
    for r in reply["workstations"]:
        label = r["name"] + (" (simulated)" if r["simulated"] else "")
        table.add_row(
            label,
            r["instance_type"],
            f"{r['hourly_usd']:.4f}",
            f"{r['running_hours']:.2f}",
            f"{r['stopped_hours']:.2f}",
            f"{r['compute_usd']:.2f}",
            f"{r['storage_usd']:.2f}",
            f"{r['total_usd']:.2f}",
        )
    console.print(table)
    console.print(f"Total: ${reply['total_usd']:.2f}")
