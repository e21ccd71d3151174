"""`phoenix loadsim start|stop|status|list-profiles`."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from groundwork.output import OutputFormat, OutputOption, emit_json
from phoenix.home import home

console = Console()
app = typer.Typer(help="The load simulator: real processes, real CPU and memory, no orphans.")


def _sim() -> Any:
    from phoenix.loadsim.control import LoadSim

    return LoadSim(home())


@app.command("start")
def start(
    profile: Annotated[
        str, typer.Option("--profile", help="realistic, high-cardinality, process-churn or custom.")
    ] = "realistic",
    process_count: Annotated[
        int | None, typer.Option("--process-count", help="Scale to N processes.")
    ] = None,
    churn_rate: Annotated[
        float | None, typer.Option("--churn-rate", help="Processes replaced per minute.")
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="Stop by itself after, e.g. 10m.")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option("--spec", help="Spec file for --profile custom.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
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
    state = _sim().start(load)
    if output is OutputFormat.JSON:
        emit_json(state)
        return
    console.print(
        f"Load simulation running: {state['processes']} processes ({load.profile})."
        " Stop: phoenix loadsim stop"
    )


@app.command("stop")
def stop(output: OutputOption = OutputFormat.TABLE) -> None:
    """End every simulated process (also those of a supervisor that was killed).

    Examples:

      phoenix loadsim stop
    """
    result = _sim().stop()
    emit_json(result) if output is OutputFormat.JSON else console.print(
        f"Stopped; {result['processes_ended']} processes ended."
    )


@app.command("status")
def status(output: OutputOption = OutputFormat.TABLE) -> None:
    """Is a simulation running, with how many processes.

    Examples:

      phoenix loadsim status -o json
    """
    state = _sim().status()
    if output is OutputFormat.JSON:
        emit_json(state)
        return
    if not state["running"]:
        console.print("No load simulation is running.")
        return
    console.print(
        f"{state['processes']} processes ({state['profile']}), up {state['uptime_seconds']} s"
    )


@app.command("list-profiles")
def list_profiles(output: OutputOption = OutputFormat.TABLE) -> None:
    """The built-in profiles.

    Examples:

      phoenix loadsim list-profiles
    """
    from phoenix.loadsim.profiles import PROFILES

    specs = {name: make().model_dump() for name, make in PROFILES.items()}
    if output is OutputFormat.JSON:
        emit_json(specs)
        return
    for name, data in specs.items():
        count = sum(g["count"] for g in data["groups"])
        console.print(
            f"[bold]{name}[/bold]: {count} processes, churn {data['churn_per_minute']}/min"
        )
