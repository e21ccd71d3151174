"""`phoenix server`: the REST API on the groundwork service base."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.cli.views import plain
from phoenix.started import ServiceStarted

if TYPE_CHECKING:
    from rich.console import RenderableType

    from groundwork.service import ServiceInfo

app = typer.Typer(add_completion=False, rich_markup_mode="rich")


def _url(started: ServiceStarted) -> RenderableType:
    return plain(started.service.url)


@renders(_url)
def _announce(started: ServiceStarted, *, output: OutputFormat) -> ServiceStarted:
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
    """Serve the REST API (experiments, pipelines, deployments, load simulator); docs at /docs.

    Requests need the token in <PHOENIX_HOME>/phoenix-server.token. Prints its URL once it
    listens (with -o json: {"service": {...}}) and runs until stopped.

    Examples:

      phoenix server --port 8470

      phoenix server --port 0 -o json
    """
    from groundwork.service import serve
    from phoenix.home import home
    from phoenix.server.api import server_app, server_config

    config = server_config(home(), host, port)

    def announce(info: ServiceInfo) -> None:
        _announce(ServiceStarted(service=info), output=output)

    serve(
        server_app(home(), config),
        config,
        on_ready=announce,
    )
    return 0
