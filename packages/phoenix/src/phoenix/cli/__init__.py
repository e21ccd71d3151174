"""The `phoenix` command line."""

from typing import Annotated

import typer

from groundwork.cli import add_doctor_command, make_app, run
from groundwork.health import HealthRegistry
from phoenix import __version__
from phoenix.cli import experiment, loadsim, pipeline
from phoenix.home import ENV_VAR


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
    otlp_endpoint: Annotated[
        str | None,
        typer.Option(
            "--otlp-endpoint",
            envvar="PHOENIX_OTLP_ENDPOINT",
            metavar="URL",
            help="Also POST each scrape as OTLP/HTTP JSON to URL/v1/metrics.",
        ),
    ] = None,
    otlp_header: Annotated[
        list[str] | None,
        typer.Option(
            "--otlp-header",
            metavar="K=V",
            help="A header for the OTLP requests (repeatable), e.g. Authorization=Bearer T.",
        ),
    ] = None,
) -> None:
    """Scrape this host's processes, run the deployed pipeline, serve /metrics for Prometheus.

    /metrics needs the token in <PHOENIX_HOME>/phoenix-agent.token (Prometheus:
    authorization.credentials_file). With --otlp-endpoint each scrape is also pushed to an
    OpenTelemetry Collector or backend; failed pushes are logged and counted in
    phoenix_otlp_export_failures_total.

    Examples:

      phoenix agent --interval 10

      phoenix agent --once | head

      phoenix agent --otlp-endpoint http://127.0.0.1:4318 --otlp-header 'Authorization=Bearer T'
    """
    import threading

    from groundwork.service import serve
    from phoenix.agent.otlp import OtlpExporter, parse_headers
    from phoenix.agent.service import Agent, agent_app, agent_config
    from phoenix.collector.scrape import Scraper
    from phoenix.home import home

    if otlp_header and not otlp_endpoint:
        raise typer.BadParameter("needs --otlp-endpoint", param_hint="--otlp-header")
    exporter: OtlpExporter | None = None
    if otlp_endpoint:
        # A push may hold up the next scrape by one interval at most.
        exporter = OtlpExporter(
            otlp_endpoint, parse_headers(otlp_header or []), deadline_seconds=max(interval, 1.0)
        )
    runner = Agent(home(), interval, exporter=exporter)
    if once:
        scraper = Scraper()
        scraper.scrape()
        runner.run_once(scraper, runner.engine())
        if exporter is not None:
            exporter.close()
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
    run(app, tool="phoenix", home_env=ENV_VAR)
