"""`prism launch|list|info|stop|start|hibernate|resume|delete`."""

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json
from prism.cli.render import console, err_console, where, workstation_line, workstation_table
from prism.home import home

if TYPE_CHECKING:
    from prism.daemon.client import DaemonClient

__all__ = ["register"]


def _client() -> "DaemonClient":
    from prism.daemon.client import DaemonClient  # deferred: httpx and the service client

    return DaemonClient(home())


def parse_params(values: list[str] | None) -> dict[str, str]:
    params = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ToolError(
                "PRISM_PARAM_MALFORMED",
                f"--param {item!r} is not of the form key=value.",
                suggestions=["Write it as --param key=value, e.g. --param python_version=3.11"],
                exit_code=ExitCode.USAGE,
            )
        params[key.strip()] = value
    return params


def launch(
    template: Annotated[str, typer.Argument(help="Template name or slug (prism templates list).")],
    name: Annotated[str, typer.Argument(help="A name for the new workstation.")],
    size: Annotated[
        str | None,
        typer.Option("--size", help="XS, S, M, L or XL (at least the template's minimum)."),
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Template parameter key=value.")
    ] = None,
    spot: Annotated[bool, typer.Option("--spot", help="Use spot capacity (cheaper).")] = False,
    hibernation: Annotated[
        bool, typer.Option("--hibernation", help="Allow hibernating it later (keeps memory).")
    ] = False,
    volume: Annotated[
        list[str] | None,
        typer.Option("--volume", help="EFS volume to mount at /mnt/NAME from first boot."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything with AWS, launch nothing.")
    ] = False,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Return once AWS accepted the launch.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Launch a workstation from a template.

    Examples:

      prism launch python-ml-workstation demo

      prism launch rstudio-server stats --size L --volume shared-data

      prism launch python-ml-workstation demo --dry-run --output json
    """
    client = _client()
    body = {
        "template": template,
        "name": name,
        "size": size,
        "params": parse_params(param),
        "spot": spot,
        "hibernation": hibernation,
        "dry_run": dry_run,
        "wait": not no_wait,
        "volumes": volume or [],
    }
    accepted = client.call("POST", "/api/v1/workstations", json=body)
    ws = accepted["workstation"]
    if dry_run:
        if output is OutputFormat.JSON:
            emit_json(accepted)
            return
        console.print(
            f"[green]Dry run passed[/green]: {ws['template_name']} as {ws['instance_type']}"
            f" ({ws['architecture']}) in {where(ws)}. Nothing was launched."
        )
        return
    if output is OutputFormat.JSON:
        emit_json(_follow(client, name, show=False))
        return
    console.print(f"Launching [bold]{name}[/bold] from {ws['template_name']} in {where(ws)}")
    try:
        final = _follow(client, name, show=True)
    except KeyboardInterrupt:
        err_console.print(
            "[yellow]Stopped watching.[/yellow] The launch goes on in the daemon;"
            " see it with: prism list"
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    console.print(workstation_line(final))
    if final.get("simulated"):
        console.print(
            "[magenta]This workstation is simulated by the sandbox: nothing runs there.[/magenta]"
        )
    elif final["state"] == "running":
        console.print(f"Connect with: prism connect {name}")


def _follow(client: "DaemonClient", name: str, *, show: bool) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[eta]}"),
        console=err_console,
        disable=not show,
    )
    task = progress.add_task("starting", total=1.0, eta="")
    with progress:
        for event, data in client.events(f"/api/v1/workstations/{name}/progress"):
            if event == "progress":
                eta = data.get("eta_seconds")
                progress.update(
                    task,
                    completed=data["fraction"],
                    description=data.get("current") or "",
                    eta=f"~{eta:.0f}s left" if eta and not data["finished"] else "",
                )
            elif event == "error":
                raise ToolError.from_problem(data)
            elif event == "result":
                progress.update(task, completed=1.0, description="done", eta="")
                result: dict[str, Any] = data
                return result
    raise ToolError(
        "PRISM_PROGRESS_LOST",
        "The daemon stopped sending progress before the launch ended.",
        suggestions=[f"Check where it got to: prism info {name}"],
        exit_code=ExitCode.UNAVAILABLE,
    )


def list_workstations(output: OutputOption = OutputFormat.TABLE) -> None:
    """List workstations, checked against EC2 right now.

    Examples:

      prism list

      prism list --output json
    """
    found = _client().call("GET", "/api/v1/workstations")
    if output is OutputFormat.JSON:
        emit_json(found)
        return
    if not found:
        console.print("No workstations yet. Launch one: prism launch python-ml-workstation demo")
        return
    console.print(workstation_table(found))


def info(
    name: Annotated[str, typer.Argument(help="Workstation name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Show one workstation in detail.

    Examples:

      prism info demo

      prism info demo --output json
    """
    ws = _client().call("GET", f"/api/v1/workstations/{name}")
    if output is OutputFormat.JSON:
        emit_json(ws)
        return
    table = Table(show_header=False, title=workstation_line(ws), title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    for key in (
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
        "ports",
        "created_at",
        "message",
    ):
        value = ws.get(key)
        if value not in (None, "", [], {}):
            table.add_row(key.replace("_", " "), str(value))
    console.print(table)


def _action(action: str, name: str, output: OutputFormat) -> None:
    reply = _client().call("POST", f"/api/v1/workstations/{name}/{action}")
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    if reply.get("notice"):
        err_console.print(f"[yellow]Notice:[/yellow] {reply['notice']}")
    console.print(workstation_line(reply["workstation"]))


NameArg = Annotated[str, typer.Argument(help="Workstation name.")]


def stop(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Stop a workstation: compute billing ends, its disks (and their cost) stay.

    Examples:

      prism stop demo
    """
    _action("stop", name, output)


def start(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Start a stopped workstation.

    Examples:

      prism start demo
    """
    _action("start", name, output)


def hibernate(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Hibernate a workstation (memory kept on disk); stops it when it can't hibernate.

    Examples:

      prism hibernate demo
    """
    _action("hibernate", name, output)


def resume(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Resume a hibernated workstation where it left off.

    Examples:

      prism resume demo
    """
    _action("resume", name, output)


def delete(
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Delete a workstation and its root disk. Asks first unless --yes.

    Examples:

      prism delete demo

      prism delete demo --yes
    """
    client = _client()
    if not yes:
        ws = client.call("GET", f"/api/v1/workstations/{name}")
        if not typer.confirm(
            f"Delete {name} ({ws['template_name']}, {where(ws)}) and its root disk?"
        ):
            err_console.print("Nothing was deleted.")
            raise typer.Exit(int(ExitCode.FAILURE))
    reply = client.call("DELETE", f"/api/v1/workstations/{name}")
    if output is OutputFormat.JSON:
        emit_json(reply)
        return
    console.print(f"Deleted [bold]{name}[/bold].")


def register(app: typer.Typer) -> None:
    app.command("launch")(launch)
    app.command("list")(list_workstations)
    app.command("info")(info)
    app.command("stop")(stop)
    app.command("start")(start)
    app.command("hibernate")(hibernate)
    app.command("resume")(resume)
    app.command("delete")(delete)
