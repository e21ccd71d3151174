"""`prism daemon start|stop|status|logs`."""

import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.service import daemon_client
from prism.home import home, log_dir

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.daemon.client import DaemonClient
    from prism.daemon.status import DaemonLog, DaemonResult

app = typer.Typer(help="Run and inspect prismd, the local daemon (the CLI starts it on demand).")

STOP_WAIT_SECONDS = 20


def _status(client: "DaemonClient") -> "DaemonResult":
    from prism.daemon.status import DaemonResult, DaemonStatus

    if client.remote is None and client.info() is None:
        return DaemonResult(daemon=DaemonStatus(running=False))
    return client.call("GET", "/api/v1/status", DaemonResult)


def _status_view(result: "DaemonResult") -> str:
    d = result.daemon
    if result.stopped_pid is not None:
        return f"Stopped prismd (pid {result.stopped_pid})."
    if not d.running:
        return "prismd is not running (the next prism command starts it)."
    profile = d.profile
    where = f"; profile {profile.name} in {profile.region}" if profile else ""
    label = " (simulated)" if d.simulated else ""
    tls = f"\nTLS certificate fingerprint: {d.tls_fingerprint}" if d.tls_fingerprint else ""
    return (
        f"prismd {d.version} at {d.url}, pid {d.pid}{where}{label};"
        f" {d.launches_running} launch(es) running{tls}"
    )


@app.command("start")
@renders(_status_view)
def start(
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            help="Share it with a team: listen on this address of the machine (not loopback),"
            " over TLS, members calling with their own tokens (prism team invite).",
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="With --listen: its certificate (PEM).")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="With --listen: the certificate's key.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "DaemonResult":
    """Start the daemon if it is not running, and wait until it is ready.

    Loopback only by default. --listen ADDR shares it beyond this machine, only over TLS: the
    certificate given, or one generated for ADDR; its fingerprint is printed for the join
    commands `prism team invite` prints.

    Examples:

      prism daemon start

      prism daemon start --listen 10.0.0.5

      prism daemon start --listen 10.0.0.5 --tls-cert cert.pem --tls-key key.pem
    """
    if listen is None and (tls_cert or tls_key):
        raise ToolError(
            "PRISM_TLS_WITHOUT_LISTEN",
            "--tls-cert and --tls-key go with --listen: on loopback prismd speaks plain HTTP.",
            suggestions=["Add --listen ADDR, or leave the certificate out."],
            exit_code=ExitCode.USAGE,
        )
    if listen is not None:
        os.environ["PRISM_DAEMON_LISTEN"] = listen
        for name, given in (("PRISM_DAEMON_TLS_CERT", tls_cert), ("PRISM_DAEMON_TLS_KEY", tls_key)):
            if given is not None:
                os.environ[name] = str(given.resolve())
    client = daemon_client()
    running = client.info()
    if listen is not None and running is not None and running.host != client.config.host:
        raise ToolError(
            "PRISM_DAEMON_RUNNING_ELSEWHERE",
            f"prismd runs already at {running.url}, not on {listen}.",
            suggestions=["Stop it first: prism daemon stop, then start it with --listen again."],
            exit_code=ExitCode.CONFLICT,
        )
    client.ensure_running()
    return _status(client)


@app.command("stop")
@renders(_status_view)
def stop(
    sandbox: Annotated[
        bool,
        typer.Option("--sandbox", help="Stop the sandbox's AWS emulator too (its state goes)."),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "DaemonResult":
    """Stop the daemon gracefully; launches in flight keep their records and resume on restart.

    The sandbox keeps running (and keeps its simulated workstations) unless --sandbox.

    Examples:

      prism daemon stop

      prism daemon stop --sandbox
    """
    from prism.daemon.status import DaemonResult, DaemonStatus

    client = daemon_client()
    if client.remote is not None:
        raise ToolError(
            "PRISM_DAEMON_SHARED",
            f"This prism uses the team's prismd at {client.remote.url} (joined as"
            f" {client.remote.user}): only whoever runs it can stop it.",
            suggestions=["Ask its operator; `prism daemon status` shows where it runs."],
            exit_code=ExitCode.PERMISSION,
        )
    sandbox_stopped = None
    if sandbox:
        from prism.sandbox import Sandbox

        sandbox_stopped = Sandbox(home()).stop()
    info = client.info()
    if info is None:
        return DaemonResult(daemon=DaemonStatus(running=False), sandbox_stopped=sandbox_stopped)
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while client.info() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if client.info() is not None:
        raise ToolError(
            "PRISM_DAEMON_STOP_TIMEOUT",
            f"prismd (pid {info.pid}) did not stop within {STOP_WAIT_SECONDS} s.",
            suggestions=[f"Force it: kill -9 {info.pid}"],
            exit_code=ExitCode.TIMEOUT,
        )
    return DaemonResult(
        daemon=DaemonStatus(running=False), stopped_pid=info.pid, sandbox_stopped=sandbox_stopped
    )


def _not_running(result: "DaemonResult") -> int:
    return ExitCode.OK if result.daemon.running else ExitCode.UNAVAILABLE


@app.command("status")
@renders(_status_view, exit_code=_not_running)
def status(output: OutputOption = OutputFormat.TABLE) -> "DaemonResult":
    """Is the daemon running, where, and with which profile? Exits 6 when it is not running.

    Examples:

      prism daemon status --output json
    """
    return _status(daemon_client())


def _log_view(result: "DaemonLog") -> "RenderableType":
    from rich.text import Text

    if not result.log.exists:
        return f"No log yet at {result.log.path}."
    return Text("\n".join(result.log.lines))


@app.command("logs")
@renders(_log_view)
def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", min=1, help="How many lines.")] = 50,
    output: OutputOption = OutputFormat.TABLE,
) -> "DaemonLog":
    """Print the end of the daemon's log (JSON lines, in the log folder: prismd.log).

    Examples:

      prism daemon logs -n 100
    """
    from prism.daemon.status import DaemonLog, LogTail

    path = log_dir() / "prismd.log"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return DaemonLog(log=LogTail(path=str(path), exists=False, lines=[]))
    return DaemonLog(log=LogTail(path=str(path), exists=True, lines=text.splitlines()[-lines:]))
