"""`peragus start`: serve the notebooks and the web UI, and print the URL to open."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from peragus.cli.notebooks import DirOption
from peragus.home import home
from peragus.results import ServerInfo, ServerResult

if TYPE_CHECKING:
    from groundwork.service import ServiceConfig, ServiceInfo

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _already_running(result: ServerResult) -> None:
    # Printed as is: Rich would fold a long URL at the terminal's width.
    typer.echo(f"peragus is already running. Open:\n\n    {result.server.login_url}\n")


def _running_server(config: ServiceConfig) -> ServerResult | None:
    """A fresh login URL from a peragus already serving this home, if there is one.

    Only the server's info file and one HTTP call, with the standard library's client: the
    second start must not pay for FastAPI, nor httpx's import for one local request.
    """
    import json
    import urllib.request

    from groundwork.service import read_service_info

    info = read_service_info(config)
    if info is None:
        return None
    token = config.token_file.read_text(encoding="utf-8").strip()
    # The URL is the one the server wrote in its private info file: http, on this machine.
    request = urllib.request.Request(  # noqa: S310
        f"{info.url}/login/ticket", method="POST", headers={"authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310
            path: str = json.loads(reply.read())["path"]
    except (OSError, ValueError, KeyError) as exc:
        raise ToolError(
            "PERAGUS_SERVER_NOT_ANSWERING",
            f"peragus is running for {config.state_dir} (pid {info.pid}) but {info.url} did not"
            f" give a login URL: {exc}.",
            suggestions=[
                "Wait a moment and run `peragus start` again.",
                f"If it stays stuck, stop it (kill {info.pid}) and start it again.",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    return ServerResult(server=_server_info(info, path), already_running=True)


def _server_info(info: ServiceInfo, login_path: str) -> ServerInfo:
    return ServerInfo(
        url=info.url, login_url=f"{info.url}{login_path}", version=info.version, pid=info.pid
    )


@renders(_already_running)
def start(
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free).")] = 2150,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 unless tunnelled.")
    ] = "127.0.0.1",
    folder: DirOption = None,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Do not open a browser; only print the URL.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a cell may run.", min=0.1)
    ] = 300.0,
    output: OutputOption = OutputFormat.TABLE,
) -> ServerResult:
    """Serve the notebook UI; prints a login URL (valid once, for 5 minutes), as Jupyter does.

    Running it again while the server runs prints a fresh login URL. With --output json the
    URL comes as one JSON document once the server is ready.

    Examples:

      peragus start

      peragus start --port 8888 --dir ~/notebooks --no-open
    """
    from peragus.server.config import server_config

    config = server_config(home(), host, port)
    running = _running_server(config)
    if running is not None:
        return running
    notebooks = folder or home() / "notebooks"
    if notebooks.exists() and not notebooks.is_dir():
        raise ToolError(
            "PERAGUS_DIR_INVALID",
            f"{notebooks} is not a folder.",
            suggestions=["Give --dir a folder (it is created if missing)."],
            exit_code=ExitCode.USAGE,
        )
    if host not in _LOOPBACK:
        typer.echo(
            f"warning: listening on {host}; anyone who can reach it and has the token can run code",
            err=True,
        )
    _serve(config, notebooks, timeout, open_browser=not no_open, output=output)
    # The result was shown when the server became ready; there is nothing more once it stops.
    raise typer.Exit()


def _serve(
    config: ServiceConfig,
    notebooks: Path,
    timeout: float,
    *,
    open_browser: bool,
    output: OutputFormat,
) -> None:
    import webbrowser

    from groundwork.paths import private_dir
    from groundwork.service import login_path, serve
    from peragus.execution.runner import Limits
    from peragus.server.app import peragus_app

    private_dir(notebooks)
    app = peragus_app(home(), notebooks, config, Limits(timeout_seconds=timeout))

    def serving(result: ServerResult) -> None:
        url = result.server.login_url
        typer.echo(f"peragus {config.version} serving {notebooks}\n\nOpen:\n\n    {url}\n")

    @renders(serving)
    def show(result: ServerResult, *, output: OutputFormat) -> ServerResult:
        """The first start's result, shown the moment the server listens (it then runs on)."""
        return result

    def ready(info: ServiceInfo) -> None:
        result = ServerResult(server=_server_info(info, login_path(app)), already_running=False)
        show(result, output=output)
        if open_browser:
            webbrowser.open(result.server.login_url)

    serve(app, config, on_ready=ready)
