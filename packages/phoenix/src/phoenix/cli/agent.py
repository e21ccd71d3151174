"""`phoenix agent`: scrape this host, run the deployed pipeline, serve /metrics (or print one
scrape with --once)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.agent.results import ScrapeResult
from phoenix.cli.views import plain
from phoenix.started import ServiceStarted

if TYPE_CHECKING:
    from rich.console import RenderableType

    from groundwork.service import ServiceInfo
    from phoenix.agent.runner import Agent

app = typer.Typer(add_completion=False, rich_markup_mode="rich")


def _print_exposition(result: ScrapeResult) -> None:
    sys.stdout.buffer.write(result.exposition)
    sys.stdout.flush()


@renders(_print_exposition)
def _once(runner: Agent, *, output: OutputFormat) -> ScrapeResult:
    """One scrape: the exposition /metrics would serve, or the same families as JSON."""
    from phoenix.agent.runner import scrape_of
    from phoenix.collector.scrape import Scraper

    scraper = Scraper()
    scraper.scrape()  # a first reading, so CPU shares cover an interval
    try:
        snapshot = runner.run_once(scraper, runner.engine())
    finally:
        if runner.exporter is not None:
            runner.exporter.close()
    return ScrapeResult.of(scrape_of(snapshot, runner.metrics), runner.text)


def _metrics_url(started: ServiceStarted) -> RenderableType:
    return plain(f"{started.service.url}/metrics")


@renders(_metrics_url)
def _announce(started: ServiceStarted, *, output: OutputFormat) -> ServiceStarted:
    """The agent runs until stopped: its address, once it listens, is its one output."""
    return started


@app.command("agent")
def agent(
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between scrapes.")
    ] = 10.0,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port for /metrics (0: any free).")
    ] = 9464,
    once: Annotated[
        bool,
        typer.Option("--once", help="Print one scrape (the exposition, or JSON) and exit."),
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
    output: OutputOption = OutputFormat.TABLE,
) -> int:
    """Scrape this host's processes, run the deployed pipeline, serve /metrics for Prometheus.

    /metrics needs the token in <PHOENIX_HOME>/phoenix-agent.token (Prometheus:
    authorization.credentials_file). With --otlp-endpoint each scrape is also pushed to an
    OpenTelemetry Collector or backend; failed pushes are logged and counted in
    phoenix_otlp_export_failures_total. Serving, it prints its /metrics URL once it listens
    (with -o json: {"service": {...}}) and runs until stopped.

    Examples:

      phoenix agent --interval 10

      phoenix agent --once | head

      phoenix agent --once -o json

      phoenix agent --otlp-endpoint http://127.0.0.1:4318 --otlp-header 'Authorization=Bearer T'
    """
    import threading

    from phoenix.agent.otlp import OtlpExporter, parse_headers
    from phoenix.agent.runner import Agent
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
        return _once(runner, output=output)

    from groundwork.service import serve
    from phoenix.agent.service import agent_app, agent_config

    config = agent_config(home(), host, port)

    def announce(info: ServiceInfo) -> None:
        _announce(ServiceStarted(service=info), output=output)

    thread = threading.Thread(target=runner.loop, daemon=True)
    thread.start()
    try:
        serve(
            agent_app(runner, config),
            config,
            on_ready=announce,
        )
    finally:
        runner.stop()
    return 0
