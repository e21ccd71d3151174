"""The `phoenix` command line."""

from typing import Annotated

import typer

from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry
from phoenix import __version__
from phoenix.cli import experiment, loadsim, pipeline


def _checks() -> HealthRegistry:
    from phoenix.doctor import checks

    return checks()


app = make_app(
    "phoenix",
    __version__,
    "Cut the cost of host process metrics: pipelines, A/B experiments and a load simulator."
    "\n\nExamples:"
    "\n\n  phoenix loadsim start --profile high-cardinality"
    "\n\n  phoenix experiment create trial --candidate process-topk-v1 --duration 2m"
    "\n\n  phoenix experiment compare trial -o html --out report.html"
    "\n\n  phoenix pipeline render process-topk-v1 --format k8s",
)
app.add_typer(pipeline.app, name="pipeline")
app.add_typer(experiment.app, name="experiment")
app.add_typer(loadsim.app, name="loadsim")
add_doctor_command(app, "phoenix", _checks)


@app.command("agent")
def agent(
    interval: Annotated[float, typer.Option("--interval", help="Seconds between scrapes.")] = 10.0,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port for /metrics (0: any free).")] = 9464,
    once: Annotated[
        bool, typer.Option("--once", help="Print one scrape's exposition and exit.")
    ] = False,
) -> None:
    """Scrape this host's processes, run the deployed pipeline, serve /metrics for Prometheus.

    /metrics needs the token in <PHOENIX_HOME>/phoenix-agent.token (Prometheus:
    authorization.credentials_file).

    Examples:

      phoenix agent --interval 10

      phoenix agent --once | head
    """
    import threading

    from groundwork.service import serve
    from phoenix.agent.service import Agent, agent_app, agent_config
    from phoenix.collector.scrape import Scraper
    from phoenix.home import home

    runner = Agent(home(), interval)
    if once:
        scraper = Scraper()
        scraper.scrape()
        runner.run_once(scraper, runner.engine())
        typer.echo(runner.text, nl=False)
        return
    config = agent_config(home(), host, port)
    thread = threading.Thread(target=runner.loop, daemon=True)
    thread.start()
    try:
        serve(
            agent_app(runner, config),
            config,
            on_ready=lambda info: typer.echo(f"{info.url}/metrics"),
        )
    finally:
        runner.stop()


@app.command("server")
def server(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0: any free).")] = 8470,
) -> None:
    """Serve the REST API (experiments, pipelines, deployments, load simulator); docs at /docs.

    Requests need the token in <PHOENIX_HOME>/phoenix-server.token.

    Examples:

      phoenix server --port 8470
    """
    from groundwork.service import serve
    from phoenix.home import home
    from phoenix.server.api import server_app, server_config

    config = server_config(home(), host, port)
    serve(server_app(home(), config), config, on_ready=lambda info: typer.echo(info.url))


def main() -> None:
    run(app, tool="phoenix")
