"""`phoenix pipeline ...`: the catalog, validation, versioned deployments, collector configs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.cli.collector_views import collector_config_view, not_passed, verification_table
from phoenix.cli.params import parse_params
from phoenix.cli.views import plain, plain_row, plain_table
from phoenix.home import home
from phoenix.otelcol.results import VerificationResult
from phoenix.pipelines.results import (
    BASELINE,
    DeployedConfig,
    DeploymentResult,
    DeploymentStatus,
    PipelineList,
    PipelineResult,
    PipelineValidation,
    RenderFormat,
    RenderResult,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.status import Status

app = typer.Typer(
    help="Optimisation pipelines: catalog, validation, deployments, collector configs.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _conn() -> sqlite3.Connection:
    from phoenix.store import open_store

    return open_store(home())


def _catalog_table(result: PipelineList) -> RenderableType:
    table = plain_table(
        "Pipeline catalog (reductions and collector differences as measured by the bench)",
        ("name", "expected reduction", "on a collector", "processors", "description"),
    )
    for p in result.pipelines:
        r = p.expected_reduction
        collector: str = p.collector or "-"
        if p.collector_difference_percent is not None:
            collector += f" ({p.collector_difference_percent:+g}% series)"
        plain_row(
            table,
            p.name,
            f"{r.min:g}-{r.max:g}%",
            collector,
            ", ".join(p.processors) or "-",
            p.description,
        )
    return table


@app.command("list")
@renders(_catalog_table)
def list_pipelines(output: OutputOption = OutputFormat.TABLE) -> PipelineList:
    """The catalog, with expected reductions.

    Examples:

      phoenix pipeline list

      phoenix pipeline list -o json
    """
    from phoenix.pipelines import catalog

    return PipelineList(pipelines=catalog.summaries())


def _show_source(result: PipelineResult) -> None:
    from phoenix.pipelines import catalog

    typer.echo(catalog.source(result.pipeline.name), nl=False)


@app.command("show")
@renders(_show_source)
def show(name: str, output: OutputOption = OutputFormat.TABLE) -> PipelineResult:
    """Print a catalog pipeline's YAML (or, with -o json, the pipeline as validated).

    Examples:

      phoenix pipeline show process-topk-v1
    """
    from phoenix.pipelines import catalog

    return PipelineResult(pipeline=catalog.get(name))


def _validation_view(result: PipelineValidation) -> RenderableType:
    from rich.text import Text

    if result.valid and result.pipeline is not None:
        checked = (
            f"; {result.collector.binary} accepts its collector config"
            if result.collector is not None
            else ""
        )
        return Text.assemble(
            (f"{result.source} is valid", "green"), f": {result.pipeline.name}{checked}"
        )
    table = plain_table(
        f"{result.source}: {len(result.problems)} problem(s)", ("line", "where", "problem")
    )
    for problem in result.problems:
        plain_row(table, str(problem.line or "-"), problem.where or "-", problem.message)
    return table


def _invalid(result: PipelineValidation) -> int:
    return ExitCode.OK if result.valid else ExitCode.USAGE


@app.command("validate")
@renders(_validation_view, exit_code=_invalid)
def validate(
    file: Annotated[Path, typer.Argument(help="A pipeline YAML file.")],
    otelcol: Annotated[
        bool,
        typer.Option(
            "--otelcol", help="Also render it and have the collector validate that config."
        ),
    ] = False,
    collector: Annotated[
        Path | None,
        typer.Option("--collector", help="The collector binary (default: phoenix-otelcol)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> PipelineValidation:
    """Check a pipeline: schema (with line numbers), processors, critical-process safety, secrets.

    With --otelcol the pipeline's collector config is also checked by the collector itself
    (`phoenix-otelcol validate`, or yours with --collector). Exits 2 when there are problems;
    every problem is listed with its line.

    Examples:

      phoenix pipeline validate my-pipeline.yaml

      phoenix pipeline validate my-pipeline.yaml --otelcol -o json
    """
    from phoenix.pipelines.loader import validation

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(
            "PHOENIX_FILE_UNREADABLE",
            f"Could not read {file}: {exc}.",
            suggestions=["Check the path; a pipeline file is UTF-8 YAML."],
            exit_code=ExitCode.NOT_FOUND if isinstance(exc, FileNotFoundError) else ExitCode.USAGE,
        ) from None
    found = validation(text, str(file))
    if not otelcol:
        return found
    from phoenix.otelcol.compose import check_with_collector

    return check_with_collector(found, collector)


def _deployed_view(result: DeploymentResult) -> RenderableType:
    d = result.deployment
    return plain(f"{d.pipeline} is deployed as version {d.version} ({d.reason}).")


@app.command("deploy")
@renders(_deployed_view)
def deploy(
    name: Annotated[str, typer.Argument(help="Catalog name or a pipeline file.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="processor.field=value")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> DeploymentResult:
    """Deploy a pipeline on this host (a new version; rollback restores the previous one).

    Examples:

      phoenix pipeline deploy process-topk-v1 --param topk.k=10

      phoenix pipeline deploy ./my-pipeline.yaml
    """
    from phoenix.deployments import deploy as do_deploy

    return DeploymentResult(
        deployment=do_deploy(_conn(), name, parse_params(param), "deployed by hand")
    )


def _history_table(result: DeploymentStatus) -> RenderableType:
    from rich.console import Group

    from phoenix.cli.live_view import live_view

    live = live_view(result.live) if result.live is not None else plain("")
    if not result.deployments:
        return Group(plain(f"Nothing deployed: the host runs {BASELINE} (no optimisation)."), live)
    table = plain_table(None, ("version", "pipeline", "params", "why", "when"))
    for d in result.deployments:
        params = ", ".join(f"{k}={v}" for k, v in d.params.items())
        plain_row(table, str(d.version), d.pipeline, params, d.reason, d.deployed_at)
    return Group(live, table)


@app.command("status")
@renders(_history_table)
def status(output: OutputOption = OutputFormat.TABLE) -> DeploymentStatus:
    """The figures this host's collector measures now (input and output series and rates,
    critical retention, cost, its health) and the deployment history, newest first.

    The live figures come from the running agent's /metrics; when it is not running they say
    so (PHOENIX_AGENT_DOWN) with how to start it.

    Examples:

      phoenix pipeline status

      phoenix pipeline status --output json
    """
    from phoenix.deployments import history
    from phoenix.live import live_figures

    versions = history(_conn())
    return DeploymentStatus(
        deployment=versions[0] if versions else None,
        deployments=versions,
        live=live_figures(home()),
    )


def _print_config(result: DeployedConfig) -> None:
    typer.echo(result.config, nl=False)


@app.command("get-config")
@renders(_print_config)
def get_config(output: OutputOption = OutputFormat.TABLE) -> DeployedConfig:
    """Print the deployed pipeline's YAML (the baseline's when nothing is deployed).

    Examples:

      phoenix pipeline get-config > current.yaml
    """
    from phoenix.deployments import deployed_config

    return deployed_config(_conn())


@app.command("rollback")
@renders(_deployed_view)
def rollback(
    to: Annotated[int | None, typer.Option("--to", help="Version to go back to.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> DeploymentResult:
    """Re-deploy the previous version (or --to VERSION), as a new version.

    Examples:

      phoenix pipeline rollback

      phoenix pipeline rollback --to 2
    """
    from phoenix.deployments import rollback as do_rollback

    return DeploymentResult(deployment=do_rollback(_conn(), to))


@app.command("delete")
@renders(_deployed_view)
def delete(output: OutputOption = OutputFormat.TABLE) -> DeploymentResult:
    """Return to the baseline pipeline (a new version, so it can be rolled back too).

    Examples:

      phoenix pipeline delete
    """
    from phoenix.deployments import back_to_baseline

    return DeploymentResult(deployment=back_to_baseline(_conn()))


@app.command("render")
@renders(collector_config_view)
def render(
    name: Annotated[str, typer.Argument(help="Catalog name or a pipeline file.")],
    fmt: Annotated[
        RenderFormat, typer.Option("--format", help="A collector config, or Kubernetes manifests.")
    ] = RenderFormat.OTELCOL,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Show how each processor maps, and what is approximate."),
    ] = False,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="processor.field=value")
    ] = None,
    cores: Annotated[
        int | None,
        typer.Option("--cores", min=1, help="CPU count of the hosts (default: this one's)."),
    ] = None,
    namespace: Annotated[str, typer.Option("--namespace", help="For k8s.")] = "observability",
    image: Annotated[
        str | None, typer.Option("--image", help="For k8s: your own collector image.")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="For k8s: check the manifests offline against the Kubernetes schemas."
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> RenderResult:
    """Write the OpenTelemetry Collector config that keeps what phoenix's engine keeps, or the
    Kubernetes manifests (Namespace, ServiceAccount, ConfigMap, DaemonSet, Service).

    Where a collector can only approximate a processor (top-k, adaptive thresholds, sampling)
    the header comment says so; --explain shows the mapping step by step.

    Examples:

      phoenix pipeline render process-topk-v1 > collector.yaml

      phoenix pipeline render process-topk-v1 --explain

      phoenix pipeline render process-topk-v1 --format k8s --check | kubectl apply -f -
    """
    from phoenix.otelcol.compose import collector_config

    return RenderResult(
        collector_config=collector_config(
            name, fmt, parse_params(param), cores, namespace, image, check
        ),
        explain=explain,
    )


@app.command("verify")
@renders(verification_table, exit_code=not_passed)
def verify(
    name: Annotated[str, typer.Argument(help="Catalog name or a pipeline file.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="processor.field=value")
    ] = None,
    collector: Annotated[
        Path | None,
        typer.Option("--collector", help="The collector binary (default: phoenix-otelcol)."),
    ] = None,
    prometheus: Annotated[
        Path | None, typer.Option("--prometheus", help="The Prometheus server binary.")
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.5, help="Seconds between collections.")
    ] = 2.0,
    scrapes: Annotated[
        int, typer.Option("--scrapes", min=2, help="Collections to wait for before counting.")
    ] = 3,
    output: OutputOption = OutputFormat.TABLE,
) -> VerificationResult:
    """Run the pipeline on the collector and on phoenix's agent side by side on this host, and
    count both in a real Prometheus: series, processes, critical processes kept.

    Passes when the collector keeps every critical process and its series count is within 10%
    of the engine's, or within the pipeline's documented approximation. Exits 1 otherwise.
    Needs phoenix-otelcol (make collector) and Prometheus (apt-get install prometheus).

    Examples:

      phoenix pipeline verify process-aggregated-v1

      phoenix pipeline verify process-topk-v1 --param topk.k=10 -o json
    """
    from phoenix.otelcol.verify import verify as run_verify

    with _spinner(f"Running {name} on the collector and on phoenix's agent..."):
        found = run_verify(
            name,
            parse_params(param),
            collector=collector,
            prometheus=prometheus,
            interval=interval,
            scrapes=scrapes,
        )
    return VerificationResult(verification=found)


def _spinner(message: str) -> Status:
    from groundwork.output import stderr_console

    return stderr_console().status(message)
