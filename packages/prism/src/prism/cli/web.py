"""`prism web NAME [SERVICE]`: a web service on the workstation (Jupyter, RStudio, a hub, a
desktop) through an SSH tunnel, its token filled into the URL."""

import shlex
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.cli.connect import NameArg, reachable, require_ssh, research_user, ssh_base

if TYPE_CHECKING:
    from prism.connect.results import Tunnel, TunnelResult
    from prism.workstations.model import Workstation


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
    require_ssh()
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

    ws = reachable(name)
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
    research = research_user(name, as_user) if as_user else None
    user = research[0] if research else ws.login_user
    local = _tunnel_port(port)
    ssh = ssh_base(ws, research)
    command = tunnel_command(ssh, local, services[chosen])
    template_url = ws.service_urls.get(chosen, "http://{local}/")
    token = None
    if needs_token(template_url):
        per_user = "{user_token}" in template_url
        reader = ssh if per_user else ssh_base(ws)
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
    require_ssh()
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
