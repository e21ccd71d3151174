"""`prism connect NAME` and `prism web NAME [SERVICE]`."""

import asyncio
import contextlib
import os
import shlex
import shutil
import socket
import subprocess
import webbrowser
from typing import Annotated, Any

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json
from prism.cli.render import console, err_console
from prism.home import home

NameArg = Annotated[str, typer.Argument(help="Workstation name.")]


def _reachable(name: str) -> dict[str, Any]:
    from prism.daemon.client import DaemonClient  # deferred: httpx and the service client

    ws: dict[str, Any] = DaemonClient(home()).call("GET", f"/api/v1/workstations/{name}")
    if ws.get("simulated"):
        raise ToolError(
            "PRISM_SANDBOX_NOTHING_TO_CONNECT",
            f"{name} is simulated by the sandbox: no machine runs there, so there is nothing to"
            " connect to.",
            suggestions=[
                "Add an AWS profile to launch real workstations:"
                " prism profiles add NAME --aws-profile PROFILE --use",
            ],
            exit_code=ExitCode.FAILURE,
        )
    if ws["state"] != "running" or not ws.get("public_ip"):
        raise ToolError(
            "PRISM_WORKSTATION_NOT_RUNNING",
            f"{name} is {ws['state']}; connecting needs it running with a public address.",
            suggestions=[f"Start it: prism start {name}"],
            exit_code=ExitCode.CONFLICT,
        )
    return ws


def _ssh_base(ws: dict[str, Any]) -> list[str]:
    return [
        "ssh",
        "-i",
        str(ws["key_file"]),
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        "ServerAliveInterval=30",
        f"{ws['login_user']}@{ws['public_ip']}",
    ]


def connect(
    name: NameArg,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the ssh command instead of running it.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Wait until SSH answers, then open a shell on the workstation.

    Examples:

      prism connect demo

      prism connect demo --print
    """
    ws = _reachable(name)
    argv = _ssh_base(ws)
    if print_only or output is OutputFormat.JSON:
        if output is OutputFormat.JSON:
            emit_json({"command": argv})
        else:
            console.print(shlex.join(argv), markup=False, highlight=False)
        return
    from prism.connect.probe import wait_for_ssh  # deferred: asyncssh loads slowly

    with err_console.status(f"Waiting for SSH on {ws['public_ip']}..."):
        asyncio.run(wait_for_ssh(ws["public_ip"]))
    if shutil.which("ssh") is None:
        raise ToolError(
            "PRISM_SSH_MISSING",
            "The ssh command is not installed.",
            suggestions=["Install OpenSSH's client (apt install openssh-client)."],
            exit_code=ExitCode.UNAVAILABLE,
        )
    os.execvp("ssh", argv)  # noqa: S606 - hands the terminal to ssh, as the user asked


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def web(
    name: NameArg,
    service: Annotated[
        str | None, typer.Argument(help="Service name (default: the template's first).")
    ] = None,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the tunnel command and URL only.")
    ] = False,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the URL in a browser.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Tunnel to a web service on the workstation (Jupyter, RStudio...) and print its URL.

    Examples:

      prism web demo

      prism web demo jupyter --open
    """
    ws = _reachable(name)
    services: dict[str, int] = ws.get("services") or {}
    if not services:
        raise ToolError(
            "PRISM_NO_WEB_SERVICE",
            f"{name}'s template ({ws['template_name']}) declares no web service.",
            suggestions=[f"Connect with SSH instead: prism connect {name}"],
            exit_code=ExitCode.NOT_FOUND,
        )
    chosen = service or next(iter(services))
    if chosen not in services:
        raise ToolError(
            "PRISM_WEB_SERVICE_UNKNOWN",
            f"{name} has no service {chosen!r}.",
            suggestions=[f"Its services: {', '.join(services)}"],
            exit_code=ExitCode.NOT_FOUND,
        )
    local = _free_port()
    tunnel = [
        *_ssh_base(ws)[:-1],
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        f"127.0.0.1:{local}:localhost:{services[chosen]}",
        _ssh_base(ws)[-1],
    ]
    url = f"http://127.0.0.1:{local}/"
    if print_only or output is OutputFormat.JSON:
        if output is OutputFormat.JSON:
            emit_json({"service": chosen, "url": url, "tunnel": tunnel})
        else:
            console.print(shlex.join(tunnel), markup=False, highlight=False)
            console.print(url)
        return
    from prism.connect.probe import wait_for_http, wait_for_ssh

    with err_console.status("Waiting for SSH..."):
        asyncio.run(wait_for_ssh(ws["public_ip"]))
    process = subprocess.Popen(tunnel)
    try:
        with err_console.status(f"Waiting for {chosen} to answer..."):
            asyncio.run(wait_for_http(url))
        console.print(f"{chosen} is at [bold]{url}[/bold] (Ctrl+C closes the tunnel)")
        if open_browser:
            webbrowser.open(url)
        process.wait()
    except KeyboardInterrupt:
        console.print("Tunnel closed.")
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
