"""`phoenix server`: the REST API on the groundwork service base."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.cli.views import plain
from phoenix.started import ConsoleStarted

if TYPE_CHECKING:
    from rich.console import RenderableType

    from groundwork.service import ServiceInfo

app = typer.Typer(add_completion=False, rich_markup_mode="rich")


def _url(started: ConsoleStarted) -> RenderableType:
    return plain(f"{started.login_url}\n(open it for the console; the API is at /docs)")


@renders(_url)
def _announce(started: ConsoleStarted, *, output: OutputFormat) -> ConsoleStarted:
    """The server runs until stopped: its address, once it listens, is its one output."""
    return started


@app.command("server")
def server(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free).")
    ] = 8470,
    output: OutputOption = OutputFormat.TABLE,
) -> int:
    """Serve the web console and the REST API (pipelines, deployments, fleet, experiments, load
    simulator); API docs at /docs.

    Prints a one-time login URL for the console once it listens (with -o json:
    {"service": {...}, "login_url": "..."}) and runs until stopped. API requests need the token
    in <PHOENIX_HOME>/phoenix-server.token.

    Examples:

      phoenix server --port 8470

      phoenix server --port 0 -o json
    """
    from groundwork.service import login_path, serve
    from phoenix.home import home
    from phoenix.server.api import server_app, server_config

    config = server_config(home(), host, port)
    app = server_app(home(), config)

    def announce(info: ServiceInfo) -> None:
        started = ConsoleStarted(service=info, login_url=f"{info.url}{login_path(app)}")
        _announce(started, output=output)

    serve(app, config, on_ready=announce)
    return 0
