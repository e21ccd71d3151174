"""`prism connect NAME` and `prism web NAME [SERVICE]`."""

import shlex
import shutil
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.cli.service import daemon_client

if TYPE_CHECKING:
    from prism.connect.results import ConnectionResult, EditorResult, Tunnel, TunnelResult
    from prism.workstations.model import Workstation

NameArg = Annotated[str, typer.Argument(help="Workstation name.")]


def desktop_hint(ws: "Workstation") -> str | None:
    """How a workstation's remote desktop is reached, when it runs one."""
    from prism.templates.connection import DESKTOP_NAMES, DESKTOP_PORTS, DESKTOP_SERVICE

    if ws.desktop not in DESKTOP_NAMES:
        return None
    return (
        f"prism web {ws.name} {DESKTOP_SERVICE}: {DESKTOP_NAMES[ws.desktop]}, port"
        f" {DESKTOP_PORTS[ws.desktop]} on the workstation, through an SSH tunnel"
    )


def _workstation(name: str) -> "Workstation":
    from prism.workstations.results import WorkstationResult

    return (
        daemon_client().call("GET", f"/api/v1/workstations/{name}", WorkstationResult).workstation
    )


def _reachable(name: str, found: "Workstation | None" = None) -> "Workstation":
    ws = found or _workstation(name)
    if ws.simulated:
        hint = desktop_hint(ws)
        raise ToolError(
            "PRISM_SANDBOX_NOTHING_TO_CONNECT",
            f"{name} is simulated by the sandbox: no machine runs there, so there is nothing to"
            " connect to.",
            suggestions=[
                "Add an AWS profile to launch real workstations:"
                " prism profiles add NAME --aws-profile PROFILE --use",
                *([f"On AWS its desktop is reached with: {hint}"] if hint else []),
            ],
            context={"desktop": hint} if hint else None,
            exit_code=ExitCode.FAILURE,
        )
    if ws.state != "running" or not ws.public_ip:
        raise ToolError(
            "PRISM_WORKSTATION_NOT_RUNNING",
            f"{name} is {ws.state}; connecting needs it running with a public address.",
            suggestions=[f"Start it: prism start {name}"],
            exit_code=ExitCode.CONFLICT,
        )
    return ws


def _ssh_base(ws: "Workstation", as_user: tuple[str, str] | None = None) -> list[str]:
    """ssh with the workstation's key as its login user, or as a research user with theirs."""
    user, key = as_user or (ws.login_user, str(ws.key_file))
    return [
        "ssh",
        "-i",
        key,
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        "ServerAliveInterval=30",
        f"{user}@{ws.public_ip}",
    ]


def _research_user(name: str, user: str) -> tuple[str, str]:
    """A research user on the workstation, and the private key made for them on this machine."""
    from prism.cli.users import local_key_file
    from prism.team.model import WorkstationUsersResult

    on = (
        daemon_client()
        .call("GET", f"/api/v1/research-users/on/{name}", WorkstationUsersResult)
        .users
    )
    if user not in on:
        raise ToolError(
            "PRISM_USER_NOT_ON_WORKSTATION",
            f"{user} is not a research user on {name} (on it: {', '.join(on) or 'none'}).",
            suggestions=[f"Put them on it: prism user add-to {name} {user}"],
            exit_code=ExitCode.CONFLICT,
        )
    key = local_key_file(user)
    if not key.is_file():
        raise ToolError(
            "PRISM_USER_KEY_MISSING",
            f"No private key for {user} in this state folder ({key}).",
            suggestions=[
                f"Make one and install it: prism user key add {user} --generate, then"
                f" prism user add-to {name} {user}",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )
    return user, str(key)


def _connection_view(result: "ConnectionResult | EditorResult") -> str:
    from prism.connect.results import EditorResult

    if isinstance(result, EditorResult):
        from prism.cli.editors import editor_view

        return editor_view(result)
    connection = result.connection
    lines = [shlex.join(connection.command)]
    if connection.desktop:
        lines.append(f"Desktop: {connection.desktop}")
    for service in connection.web:
        lines.append(f"Web: prism web {connection.workstation} {service}")
    return "\n".join(lines)


@renders(_connection_view)
def connect(
    name: NameArg,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the ssh (or code) command instead of running it.")
    ] = False,
    vscode: Annotated[
        bool,
        typer.Option(
            "--vscode",
            help="Open it in VS Code (Remote - SSH): writes its entry in prism's SSH config.",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="With --vscode: include prism's SSH config without asking."
        ),
    ] = False,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="As this research user, with the key made for them here."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ConnectionResult | EditorResult":
    """Wait until SSH answers, then open a shell on the workstation.

    With --print or --output json it gives the ssh command instead of running it.

    With --vscode it writes the workstation's entry into prism's SSH config (see prism
    ssh-config), asks once to include that file from ~/.ssh/config (backed up first), and opens
    VS Code on it; --print gives the code command instead.

    Examples:

      prism connect demo

      prism connect demo --print

      prism connect demo --vscode

      prism connect analysis --as ada
    """
    import asyncio
    import os

    from prism.connect.results import Connection, ConnectionResult

    if vscode and as_user:
        raise ToolError(
            "PRISM_VSCODE_AS_UNSUPPORTED",
            "--vscode opens the workstation as its login user; --as is for ssh only.",
            suggestions=[f"ssh as {as_user}: prism connect {name} --as {as_user}"],
            exit_code=ExitCode.USAGE,
        )
    found = _workstation(name)
    if vscode and print_only and found.simulated:
        from prism.cli.editors import sandbox_vscode

        return sandbox_vscode(found)
    ws = _reachable(name, found)
    if vscode:
        from prism.cli.editors import open_vscode

        json_mode = output is OutputFormat.JSON
        return open_vscode(ws, print_only=print_only, yes=yes, json_mode=json_mode)
    research = _research_user(name, as_user) if as_user else None
    argv = _ssh_base(ws, research)
    from prism.templates.connection import DESKTOP_SERVICE

    hint = desktop_hint(ws)
    result = ConnectionResult(
        connection=Connection(
            workstation=name,
            host=str(ws.public_ip),
            user=research[0] if research else ws.login_user,
            command=argv,
            desktop=hint,
            web=[s for s in ws.services if s != DESKTOP_SERVICE],
        )
    )
    if print_only or output is OutputFormat.JSON:
        return result
    if hint:
        stderr_console().print(f"Its desktop: {hint}", markup=False, highlight=False)
    from prism.connect.probe import wait_for_ssh  # deferred: asyncssh loads slowly

    with stderr_console().status(f"Waiting for SSH on {ws.public_ip}..."):
        asyncio.run(wait_for_ssh(str(ws.public_ip)))
    if shutil.which("ssh") is None:
        raise ToolError(
            "PRISM_SSH_MISSING",
            "The ssh command is not installed.",
            suggestions=["Install OpenSSH's client (apt install openssh-client)."],
            exit_code=ExitCode.UNAVAILABLE,
        )
    os.execvp("ssh", argv)  # noqa: S606 - hands the terminal to ssh, as the user asked


def _tunnel_view(result: "TunnelResult") -> str:
    if result.opened:
        return f"Tunnel to {result.tunnel.service} closed."
    return f"{shlex.join(result.tunnel.command)}\n{result.tunnel.url}"


def _tunnel_port(port: int | None) -> int:
    """The port asked for when it is free, else one the system picks."""
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port or 0))
        except OSError as exc:
            raise ToolError(
                "PRISM_TUNNEL_PORT_BUSY",
                f"Port {port} on this machine is taken ({exc.strerror}), so the tunnel cannot"
                " listen there.",
                suggestions=[
                    "Leave --port out to let prism pick a free port.",
                    f"Or find what holds it: ss -ltnp 'sport = :{port}'",
                ],
                exit_code=ExitCode.CONFLICT,
            ) from exc
        return int(sock.getsockname()[1])


def _require_ssh() -> None:
    if shutil.which("ssh") is None:
        raise ToolError(
            "PRISM_SSH_MISSING",
            "The ssh command is not installed; prism tunnels web services through it.",
            suggestions=["Install OpenSSH's client (apt install openssh-client)."],
            exit_code=ExitCode.UNAVAILABLE,
        )


def _service_token(ws: "Workstation", service: str, url: str, ssh: list[str], user: str) -> str:
    """The service's token: kept here (0600) from an earlier time, else read over SSH."""
    from prism.connect import webtoken
    from prism.home import home
    from prism.templates.services import token_file

    folder = home() / "web-tokens"
    key = webtoken.TokenKey(ws.name, ws.instance_id or "none", service, user)
    found = webtoken.cached_token(folder, key)
    if found:
        return found
    _require_ssh()
    import asyncio

    from prism.connect.probe import wait_for_ssh  # deferred: asyncssh loads slowly

    with stderr_console().status(f"Waiting for SSH on {ws.public_ip}..."):
        asyncio.run(wait_for_ssh(str(ws.public_ip)))
    with stderr_console().status(f"Reading {service}'s token from {ws.name} over SSH..."):
        token = webtoken.fetch_token(
            ssh, webtoken.remote_token_command(url, token_file(service)), ws.name
        )
    webtoken.store_token(folder, key, token)
    return token


@renders(_tunnel_view)
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
    port: Annotated[
        int | None,
        typer.Option(
            "--port", min=1, max=65535, help="Listen on this local port (default: any free one)."
        ),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as", help="As this research user, with the key made for them here (JupyterHub)."
        ),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "TunnelResult":
    """Tunnel to a web service on the workstation (Jupyter, RStudio...) and print its URL.

    A Jupyter server's token is read from the workstation over SSH the first time (it is made
    there at first boot and kept here in a file only you can read), and filled into the URL.
    On a JupyterHub workstation, --as USER logs in as that research user with their own key.

    With --print or --output json it gives the tunnel command and URL instead of running it.

    Examples:

      prism web demo

      prism web demo jupyter --open

      prism web demo jupyter --print

      prism web hub jupyterhub --as ada --port 8000

      prism web desk desktop
    """
    from prism.connect.results import Tunnel, TunnelResult
    from prism.connect.webtoken import fill_url, needs_token, tunnel_command

    ws = _reachable(name)
    services = ws.services
    if not services:
        raise ToolError(
            "PRISM_NO_WEB_SERVICE",
            f"{name}'s template ({ws.template_name}) declares no web service.",
            suggestions=[
                f"Connect with SSH instead: prism connect {name}",
                "For notebooks, launch a template with Jupyter: prism launch"
                " python-ml-workstation NAME",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )
    chosen = service or next(iter(services))
    if chosen not in services:
        raise ToolError(
            "PRISM_WEB_SERVICE_UNKNOWN",
            f"{name} has no service {chosen!r} (its template {ws.template_name} does not run it).",
            suggestions=[f"Its services: {', '.join(services)}"],
            exit_code=ExitCode.NOT_FOUND,
        )
    research = _research_user(name, as_user) if as_user else None
    user = research[0] if research else ws.login_user
    local = _tunnel_port(port)
    ssh = _ssh_base(ws, research)
    command = tunnel_command(ssh, local, services[chosen])
    template_url = ws.service_urls.get(chosen, "http://{local}/")
    token = None
    if needs_token(template_url):
        per_user = "{user_token}" in template_url
        reader = ssh if per_user else _ssh_base(ws)
        token = _service_token(
            ws, chosen, template_url, reader, user if per_user else ws.login_user
        )
    url = fill_url(template_url, local=f"127.0.0.1:{local}", token=token, user=user)
    tunnel = Tunnel(
        workstation=name,
        service=chosen,
        url=url,
        command=command,
        local_port=local,
        user=user,
        token=token is not None,
    )
    if print_only or output is OutputFormat.JSON:
        return TunnelResult(tunnel=tunnel, opened=False)
    _require_ssh()
    _hold_tunnel(tunnel, str(ws.public_ip), open_browser=open_browser)
    return TunnelResult(tunnel=tunnel, opened=True)


def _hold_tunnel(tunnel: "Tunnel", host: str, *, open_browser: bool) -> None:
    """Run the tunnel until Ctrl+C, once SSH and then the service itself answer."""
    import asyncio
    import contextlib
    import subprocess
    import webbrowser

    from prism.connect.probe import wait_for_http, wait_for_ssh

    console = stderr_console()
    with console.status("Waiting for SSH..."):
        asyncio.run(wait_for_ssh(host))
    process = subprocess.Popen(tunnel.command)
    try:
        with console.status(f"Waiting for {tunnel.service} to answer..."):
            # Without the query: a hub's login URL would log in for the probe, not the browser.
            asyncio.run(wait_for_http(tunnel.url.split("?")[0]))
        console.print(
            f"{tunnel.service} is at [bold]{tunnel.url}[/bold] (Ctrl+C closes the tunnel)"
        )
        if open_browser:
            webbrowser.open(tunnel.url)
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
