"""`phoenix loadsim start|stop|status|list-profiles`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.cli.views import plain, plain_row, plain_table
from phoenix.home import home
from phoenix.loadsim.profiles import ProfileName
from phoenix.loadsim.results import ProfileList, SimulationResult

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.status import Status

    from phoenix.loadsim.control import LoadSim

app = typer.Typer(
    help="The load simulator: real processes, real CPU and memory, no orphans.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _sim() -> LoadSim:
    from phoenix.loadsim.control import LoadSim

    return LoadSim(home())


def _progress(message: str) -> Status:
    """A spinner on stderr: starting or stopping hundreds of processes takes seconds."""
    from rich.console import Console

    return Console(stderr=True).status(message)


def _simulation_line(result: SimulationResult) -> RenderableType:
    sim = result.simulation
    ended = (
        f" ({result.processes_ended} processes of a killed supervisor ended.)"
        if result.processes_ended
        else ""
    )
    if not sim.running:
        return plain("No load simulation is running." + ended)
    return plain(
        f"Load simulation running: {sim.processes} processes ({sim.profile}),"
        f" up {sim.uptime_seconds} s. Stop: phoenix loadsim stop" + ended
    )


@app.command("start")
@renders(_simulation_line)
def start(
    profile: Annotated[
        ProfileName, typer.Option("--profile", help="A built-in profile, or custom with --spec.")
    ] = ProfileName.REALISTIC,
    process_count: Annotated[
        int | None, typer.Option("--process-count", min=1, help="Scale to N processes.")
    ] = None,
    churn_rate: Annotated[
        float | None,
        typer.Option("--churn-rate", min=0, help="Processes replaced per minute."),
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="Stop by itself after, e.g. 10m.")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="Spec file for --profile custom.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> SimulationResult:
    """Start simulated processes.

    Examples:

      phoenix loadsim start --profile high-cardinality

      phoenix loadsim start --profile process-churn --churn-rate 120 --duration 5m
    """
    from phoenix.experiments.service import parse_duration
    from phoenix.loadsim.profiles import load_spec

    load = load_spec(
        profile,
        process_count=process_count,
        churn_rate=churn_rate,
        duration=parse_duration(duration) if duration else None,
        spec_file=spec,
    )
    with _progress(f"Starting {load.process_count} processes ({load.profile})..."):
        return _sim().start(load)


def _stopped_line(result: SimulationResult) -> RenderableType:
    return plain(f"Stopped; {result.processes_ended} simulated processes ended.")


@app.command("stop")
@renders(_stopped_line)
def stop(output: OutputOption = OutputFormat.TABLE) -> SimulationResult:
    """End every simulated process (also those of a supervisor that was killed).

    Examples:

      phoenix loadsim stop
    """
    with _progress("Stopping the simulated processes..."):
        return _sim().stop()


@app.command("status")
@renders(_simulation_line)
def status(output: OutputOption = OutputFormat.TABLE) -> SimulationResult:
    """Is a simulation running, with how many processes.

    Examples:

      phoenix loadsim status -o json
    """
    return _sim().status()


def _profiles_table(result: ProfileList) -> RenderableType:
    table = plain_table(
        "Load profiles (and custom, from --spec)",
        ("profile", "processes", "churn / min", "groups"),
    )
    for spec in result.profiles:
        groups = ", ".join(f"{g.count} {g.name} ({g.pattern})" for g in spec.groups)
        plain_row(
            table, spec.profile, str(spec.process_count), f"{spec.churn_per_minute:g}", groups
        )
    return table


@app.command("list-profiles")
@renders(_profiles_table)
def list_profiles(output: OutputOption = OutputFormat.TABLE) -> ProfileList:
    """The built-in profiles; a custom spec file has the same shape (profile aside).

    Examples:

      phoenix loadsim list-profiles -o json
    """
    from phoenix.loadsim.profiles import PROFILES

    return ProfileList(profiles=[make() for make in PROFILES.values()])
