"""`phoenix server`: the web console and the REST API on the groundwork service base, with this
host's agent beside them (so the console's first page shows this host's figures)."""

from __future__ import annotations

import contextlib
from pathlib import Path
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
    agent = f"\nthis host's agent: {started.agent.url}/metrics" if started.agent else ""
    return plain(f"{started.login_url}\n(open it for the console; the API is at /docs){agent}")


def _start_agent(
    stack: contextlib.ExitStack, home: Path, port: int, interval: float
) -> ServiceInfo | None:
    """This host's agent, in this process until the server stops; none when one already runs
    for this home (the console reads that one) or its port is taken (a notice says why, and
    the console shows the agent down with how to start it)."""
    import threading
    import time

    from groundwork.errors import ToolError
    from groundwork.output import stderr_console
    from groundwork.service import running_service
    from phoenix.agent.runner import Agent
    from phoenix.agent.service import agent_app, agent_config

    runner = Agent(home, interval)
    config = agent_config(home, "127.0.0.1", port)
    try:
        info = stack.enter_context(running_service(agent_app(runner, config), config))
    except ToolError as exc:
        stderr_console().print(
            f"phoenix server runs no agent: {exc.message}", markup=False, highlight=False
        )
        return None
    threading.Thread(target=runner.loop, name="phoenix-agent", daemon=True).start()
    stack.callback(runner.stop)
    # The URL is printed once the first scrape is in: the console's first page has figures.
    deadline = time.monotonic() + 30
    while runner.scrapes == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    return info


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
    agent: Annotated[
        bool,
        typer.Option(
            "--agent/--no-agent",
            help="Also run this host's agent (unless one runs for this home already).",
        ),
    ] = True,
    agent_port: Annotated[
        int,
        typer.Option("--agent-port", min=0, max=65535, help="The agent's /metrics port (0: any)."),
    ] = 9464,
    agent_interval: Annotated[
        float,
        typer.Option("--agent-interval", min=0.1, help="Seconds between the agent's scrapes."),
    ] = 10.0,
    output: OutputOption = OutputFormat.TABLE,
) -> int:
    """Serve the web console and the REST API (pipelines, deployments, fleet, experiments, load
    simulator); API docs at /docs.

    Prints a one-time login URL for the console once it listens (with -o json:
    {"service": {...}, "login_url": "...", "agent": {...}}) and runs until stopped. API requests
    need the token in <PHOENIX_HOME>/phoenix-server.token. It also runs this host's agent (as
    `phoenix agent` does: /metrics with its token), so the console shows this host's live
    figures; not when an agent already runs for this home, nor with --no-agent.

    Examples:

      phoenix server --port 8470

      phoenix server --port 0 --agent-port 0 -o json

      phoenix server --no-agent
    """
    from groundwork.service import login_path, serve
    from phoenix.home import home
    from phoenix.server.api import server_app, server_config

    config = server_config(home(), host, port)
    app = server_app(home(), config)
    with contextlib.ExitStack() as stack:
        beside = _start_agent(stack, home(), agent_port, agent_interval) if agent else None

        def announce(info: ServiceInfo) -> None:
            login_url = f"{info.url}{login_path(app)}"
            _announce(
                ConsoleStarted(service=info, login_url=login_url, agent=beside), output=output
            )

        serve(app, config, on_ready=announce)
    return 0
