"""`peragus start`: serve the notebooks and the web UI, and print the URL to open."""

from pathlib import Path
from typing import Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from peragus.cli.notebooks import DirOption
from peragus.home import home


def _running_url(host: str, port: int) -> str | None:
    """A fresh login URL from a peragus already serving this home, if there is one."""
    import httpx

    from groundwork.service import read_service_info
    from peragus.server.app import server_config

    config = server_config(home(), host, port)
    info = read_service_info(config)
    if info is None:
        return None
    token = config.token_file.read_text(encoding="utf-8").strip()
    try:
        reply = httpx.post(
            f"{info.url}/login/ticket", headers={"authorization": f"Bearer {token}"}, timeout=5
        )
        reply.raise_for_status()
    except httpx.HTTPError:
        return info.url
    path: str = reply.json()["path"]
    return f"{info.url}{path}"


def start(
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free).")] = 2150,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 unless tunnelled.")
    ] = "127.0.0.1",
    folder: DirOption = None,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Do not open a browser; only print the URL.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a cell may run.")] = 300.0,
) -> None:
    """Serve the notebook UI; prints a login URL (valid once, for 5 minutes), as Jupyter does.

    Running it again while the server runs prints a fresh login URL.

    Examples:

      peragus start

      peragus start --port 8888 --dir ~/notebooks --no-open
    """
    import webbrowser

    from groundwork.service import login_path, serve
    from peragus.execution.runner import Limits
    from peragus.server.app import peragus_app, server_config

    existing = _running_url(host, port)
    if existing is not None:
        typer.echo(f"peragus is already running. Open:\n\n    {existing}\n")
        return
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            f"warning: listening on {host}; anyone who can reach it and has the token can run code",
            err=True,
        )
    config = server_config(home(), host, port)
    notebooks = folder or home() / "notebooks"
    if notebooks.exists() and not notebooks.is_dir():
        raise ToolError(
            "PERAGUS_DIR_INVALID",
            f"{notebooks} is not a folder.",
            suggestions=["Give --dir a folder (it is created if missing)."],
            exit_code=ExitCode.USAGE,
        )
    Path(notebooks).mkdir(parents=True, exist_ok=True)
    app = peragus_app(home(), notebooks, config, Limits(timeout_seconds=timeout))

    def ready(info: object) -> None:
        url = f"{getattr(info, 'url', '')}{login_path(app)}"
        typer.echo(f"peragus {config.version} serving {notebooks}\n\nOpen:\n\n    {url}\n")
        if not no_open:
            webbrowser.open(url)

    serve(app, config, on_ready=ready)
