"""`prism launch`: ask prismd to launch, then follow the launch's progress to its end."""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.choices import Arch, Size
from prism.cli.render import launch_view, where
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from types import TracebackType

    from rich.progress import Progress, TaskID

    from prism.workstations.results import LaunchResult, ProgressUpdate

__all__ = ["LaunchProgress", "launch", "parse_params", "template_path"]


def template_path() -> list[str]:
    """PRISM_TEMPLATE_PATH's folders, made absolute: prismd reads them from its own folder."""
    import os
    from pathlib import Path

    folders = os.environ.get("PRISM_TEMPLATE_PATH", "").split(os.pathsep)
    return [str(Path(p).resolve()) for p in folders if p]


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


@renders(launch_view)
def launch(
    template: Annotated[str, typer.Argument(help="Template name or slug (prism templates list).")],
    name: Annotated[str, typer.Argument(help="A name for the new workstation.")],
    size: Annotated[
        Size | None,
        typer.Option("--size", help="T-shirt size, at least the template's minimum."),
    ] = None,
    arch: Annotated[
        Arch | None,
        typer.Option(
            "--arch",
            help="CPU architecture: arm64 runs the size on Graviton (t4g, m7g, c7g, r7g, g5g);"
            " default: the template's own instance type's.",
        ),
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
    project: Annotated[
        str | None, typer.Option("--project", help="The project it belongs to (and its budget).")
    ] = None,
    no_idle: Annotated[
        bool,
        typer.Option("--no-idle", help="No idle agent and no idle policy: it runs until stopped."),
    ] = False,
    user: Annotated[
        list[str] | None,
        typer.Option(
            "--user",
            help="A research user to put on it (same UID everywhere, keys installed); repeatable.",
        ),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "LaunchResult":
    """Launch a workstation from a template, showing its progress.

    New workstations get the default idle policy (hibernate after 60 min idle, stop where
    they cannot hibernate; warning 5 min before), stated at launch; --no-idle opts out.

    A dropped progress stream (prismd restarted, the connection broke) is picked up again.

    Ctrl+C stops watching, not the launch.

    Examples:

      prism launch python-ml-workstation demo

      prism launch rstudio-server stats --size L --volume shared-data

      prism launch ubuntu-server arm --arch arm64 --size S

      prism launch python-ml-workstation demo --dry-run --output json

      prism launch gpu-deep-learning train --project genomics --no-idle

      prism launch ubuntu-server analysis --project genomics --user ada --user grace
    """
    from prism.daemon.follow import follow_launch
    from prism.workstations.results import LaunchResult

    client = daemon_client()
    body = {
        "template": template,
        "name": name,
        "size": size,
        "arch": arch,
        "params": parse_params(param),
        "spot": spot,
        "hibernation": hibernation,
        "dry_run": dry_run,
        "wait": not no_wait,
        "volumes": volume or [],
        "template_dirs": template_path(),
        "project": project,
        "idle": not no_idle,
        "users": user or [],
    }
    accepted = client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    if accepted.dry_run:
        return accepted
    ws = accepted.workstation
    from rich.markup import escape

    stderr_console().print(
        f"Launching [bold]{name}[/bold] from {escape(ws.template_name)} in {where(ws)}"
    )
    try:
        with LaunchProgress(name) as shown:
            return follow_launch(
                client, name, on_progress=shown.update, on_reconnect=shown.reconnecting
            )
    except KeyboardInterrupt:
        stderr_console().print(
            "[yellow]Stopped watching.[/yellow] The launch goes on in prismd;"
            " see it with: prism list"
        )
        raise


class LaunchProgress:
    """A progress bar with stage names and an ETA on a terminal; elsewhere (CI logs, pipes) a
    line each time the launch enters a stage.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.console = stderr_console()
        self._stage: str | None = None
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> "LaunchProgress":
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[eta]}"),
                console=self.console,
            )
            self._task = self._bar.add_task("starting", total=1.0, eta="")
            self._bar.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: "TracebackType | None",
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, update: "ProgressUpdate") -> None:
        eta = update.eta_seconds
        stage = update.current or ("done" if update.finished else None)
        if self._bar is not None and self._task is not None:
            self._bar.update(
                self._task,
                completed=update.fraction,
                description=stage or "",
                eta=f"~{eta:.0f}s left" if eta and not update.finished else "",
            )
        elif stage and stage != self._stage:
            left = f", ~{eta:.0f}s left" if eta and not update.finished else ""
            self.console.print(
                f"launch {self.name}: {stage} ({update.percent:.0f}%{left})", highlight=False
            )
        self._stage = stage

    def reconnecting(self, reason: str, attempt: int) -> None:
        from prism.daemon.follow import RECONNECTS

        self.console.print(
            f"[yellow]Lost the launch's progress[/yellow] ({reason});"
            f" reconnecting ({attempt} of {RECONNECTS})...",
            highlight=False,
        )
