"""`prism daemon start|stop|status|logs`."""

import os
import signal
import time
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json
from prism.cli.render import console
from prism.home import home

if TYPE_CHECKING:
    from prism.daemon.client import DaemonClient


def _client() -> "DaemonClient":
    from prism.daemon.client import DaemonClient  # deferred: httpx and the service client

    return DaemonClient(home())


app = typer.Typer(help="Run and inspect prismd, the local daemon (the CLI starts it on demand).")


@app.command("start")
def start(output: OutputOption = OutputFormat.TABLE) -> None:
    """Start the daemon if it is not running.

    Examples:

      prism daemon start
    """
    client = _client()
    info = client.info() or client.start()
    if output is OutputFormat.JSON:
        emit_json(info.__dict__)
        return
    console.print(f"prismd {info.version} is running at {info.url} (pid {info.pid})")


@app.command("stop")
def stop(
    sandbox: Annotated[
        bool,
        typer.Option("--sandbox", help="Stop the sandbox's AWS emulator too (its state goes)."),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Stop the daemon gracefully; launches in flight keep their records and resume on restart.

    The sandbox keeps running (and keeps its simulated workstations) unless --sandbox.

    Examples:

      prism daemon stop

      prism daemon stop --sandbox
    """
    if sandbox:
        from prism.sandbox import Sandbox

        Sandbox(home()).stop()
    client = _client()
    info = client.info()
    if info is None:
        if output is OutputFormat.JSON:
            emit_json({"running": False})
        else:
            console.print("prismd is not running.")
        return
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while client.info() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if client.info() is not None:
        raise ToolError(
            "PRISM_DAEMON_STOP_TIMEOUT",
            f"prismd (pid {info.pid}) did not stop within 20 s.",
            suggestions=[f"Force it: kill -9 {info.pid}"],
            exit_code=ExitCode.TIMEOUT,
        )
    if output is OutputFormat.JSON:
        emit_json({"running": False, "stopped_pid": info.pid})
        return
    console.print(f"Stopped prismd (pid {info.pid}).")


@app.command("status")
def status(output: OutputOption = OutputFormat.TABLE) -> None:
    """Is the daemon running, where, and with which profile?

    Examples:

      prism daemon status --output json
    """
    client = _client()
    info = client.info()
    if info is None:
        if output is OutputFormat.JSON:
            emit_json({"running": False})
        else:
            console.print("prismd is not running (the next prism command starts it).")
        raise typer.Exit(int(ExitCode.UNAVAILABLE))
    details = client.call("GET", "/api/v1/status")
    if output is OutputFormat.JSON:
        emit_json({"running": True, **info.__dict__, **details})
        return
    profile = details["profile"]
    label = " (simulated)" if details["simulated"] else ""
    console.print(
        f"prismd {info.version} at {info.url}, pid {info.pid}; profile {profile['name']}"
        f" in {profile['region']}{label}; {details['launches_running']} launch(es) running"
    )


@app.command("logs")
def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many lines.")] = 50,
) -> None:
    """Print the end of the daemon's log (JSON lines).

    Examples:

      prism daemon logs -n 100
    """
    path = home() / "logs" / "prismd.log"
    if not path.exists():
        console.print(f"No log yet at {path}.")
        return
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]:
        console.print(line, markup=False, highlight=False)
