"""`phoenix experiment ...`: A/B experiments on this host's real processes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from phoenix.cli.views import plain, plain_row, plain_table
from phoenix.experiments.results import (
    Experiment,
    ExperimentDeleted,
    ExperimentList,
    ExperimentReport,
    ExperimentResult,
    PromotedVariant,
    Promotion,
)
from phoenix.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from phoenix.experiments.service import Experiments

app = typer.Typer(
    help="A/B experiments: baseline against candidate over the same scrapes.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
)
IdArg = Annotated[str, typer.Argument(help="Experiment id or name.")]
WATCH_SECONDS = 2.0


def _experiments() -> Experiments:
    from phoenix.experiments.service import Experiments
    from phoenix.store import open_store

    return Experiments(home(), open_store(home()))


def _success(text: str) -> tuple[float, float]:
    values = {"min_reduction": 50.0, "critical": 100.0}
    for part in filter(None, text.split(",")):
        key, _, value = part.partition("=")
        if key.strip() not in values:
            raise ToolError(
                "PHOENIX_SUCCESS_INVALID",
                f"Unknown success criterion {key!r}.",
                suggestions=["Use --success min_reduction=50,critical=100"],
                exit_code=ExitCode.USAGE,
            )
        try:
            values[key.strip()] = float(value)
        except ValueError:
            raise ToolError(
                "PHOENIX_SUCCESS_INVALID",
                f"--success {key.strip()}={value!r}: the value is not a number.",
                suggestions=["Use --success min_reduction=50,critical=100"],
                exit_code=ExitCode.USAGE,
            ) from None
    return values["min_reduction"], values["critical"]


def _line(experiment: Experiment, then: str) -> Text:
    return plain(f"Experiment {experiment.id} ({experiment.name}) is {experiment.state}. {then}")


def _created(result: ExperimentResult) -> Text:
    exp = result.experiment
    return _line(exp, f"Start it: phoenix experiment start {exp.id}")


@app.command("create")
@renders(_created)
def create(
    name: str,
    baseline: Annotated[
        str, typer.Option("--baseline", help="Pipeline A.")
    ] = "process-baseline-v1",
    candidate: Annotated[str, typer.Option("--candidate", help="Pipeline B.")] = "process-topk-v1",
    duration: Annotated[str, typer.Option("--duration", help="e.g. 10m")] = "10m",
    interval: Annotated[str, typer.Option("--interval", help="Scrape interval.")] = "10s",
    critical: Annotated[
        str, typer.Option("--critical-processes", help="Regex of processes that must survive.")
    ] = "nginx|postgres|java|mysqld|redis",
    success: Annotated[str, typer.Option("--success", help="min_reduction=50,critical=100")] = "",
    baseline_group: Annotated[
        str | None,
        typer.Option("--baseline-group", help="Across a fleet: the hosts running the baseline."),
    ] = None,
    candidate_group: Annotated[
        str | None,
        typer.Option("--candidate-group", help="Across a fleet: the hosts running the candidate."),
    ] = None,
    prometheus_url: Annotated[
        str | None,
        typer.Option("--prometheus-url", help="Across a fleet: the Prometheus of the gateway."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> ExperimentResult:
    """Create an experiment (pending until started).

    On this host both pipelines run on the same scrapes. Across a fleet (--baseline-group,
    --candidate-group, --prometheus-url) `start` deploys each pipeline on its group and the
    figures come from Prometheus and from the hosts; `stop` rolls both groups back.

    Examples:

      phoenix experiment create trial --candidate process-topk-v1 --duration 5m

      phoenix experiment create fleet-trial --candidate process-topk-v1 --baseline-group blue
      --candidate-group green --prometheus-url http://127.0.0.1:9090
    """
    from phoenix.experiments.service import parse_duration

    min_reduction, min_critical = _success(success)
    return ExperimentResult(
        experiment=_experiments().create(
            name,
            baseline,
            candidate,
            parse_duration(duration),
            parse_duration(interval),
            critical,
            min_reduction,
            min_critical,
            baseline_group,
            candidate_group,
            prometheus_url,
        )
    )


def _started(result: ExperimentResult) -> Text:
    exp = result.experiment
    return _line(exp, f"Watch it: phoenix experiment status {exp.id} --watch")


@app.command("start")
@renders(_started)
def start(experiment: IdArg, output: OutputOption = OutputFormat.TABLE) -> ExperimentResult:
    """Start a pending experiment in the background.

    Examples:

      phoenix experiment start 3f2a9c1d
    """
    return ExperimentResult(experiment=_experiments().start(experiment))


_FIGURES = {
    "intervals": "intervals",
    "input_series": "input series",
    "output_series": "output series",
    "reduction_percent": "reduction %",
    "critical_retention_percent": "critical retained %",
    "datapoints_per_minute": "datapoints / min",
    "monthly_cost_usd": "monthly cost $",
    "engine_cpu_ms": "engine CPU ms / scrape",
}


def _report_table(report: ExperimentReport) -> Table:
    exp = report.experiment
    verdict = f", {exp.verdict}" if exp.verdict else ""
    table = plain_table(
        f"{exp.name} ({exp.id}): {exp.state}{verdict}",
        ("", f"A {exp.baseline}", f"B {exp.candidate}"),
    )
    if exp.message:
        table.caption, table.caption_justify = plain(exp.message), "left"
    a, b = report.variants.get("A"), report.variants.get("B")
    for key, label in _FIGURES.items():
        plain_row(
            table, label, str(getattr(a, key)) if a else "-", str(getattr(b, key)) if b else "-"
        )
    return table


@app.command("status")
@renders(_report_table)
def status(
    experiment: IdArg,
    watch: Annotated[
        bool, typer.Option("--watch", help="Refresh until it ends, then print the last figures.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> ExperimentReport:
    """State and figures so far.

    With --watch the figures refresh on stderr until the experiment ends; the final ones are
    the result (with -o json, one document once it has ended).

    Examples:

      phoenix experiment status topk-trial --watch
    """
    experiments = _experiments()
    report = experiments.report(experiment)
    if not watch or not report.experiment.state.active:
        return report
    from rich.console import Console
    from rich.live import Live

    with Live(_report_table(report), console=Console(stderr=True), transient=True) as live:
        while report.experiment.state.active:
            time.sleep(WATCH_SECONDS)
            report = experiments.report(experiment)
            live.update(_report_table(report))
    return report


class CompareFormat(StrEnum):
    """`compare` is the one command with a third output: a static HTML page."""

    TABLE = "table"
    JSON = "json"
    HTML = "html"


@dataclass(frozen=True)
class HtmlReport:
    """`compare -o html`'s result: the page, and the file it was written to, if any. Never
    printed as JSON (that is `-o json`)."""

    page: str
    written_to: Path | None


def _comparison_view(result: ExperimentReport | HtmlReport) -> RenderableType | None:
    if isinstance(result, ExperimentReport):
        return _report_table(result)
    if result.written_to is not None:
        return plain(f"Wrote {result.written_to}")
    typer.echo(result.page, nl=False)
    return None


@app.command("compare")
@renders(_comparison_view)
def compare(
    experiment: IdArg,
    output: Annotated[
        CompareFormat,
        typer.Option(
            "--output",
            "-o",
            help="table for people, json for scripts (errors then come as problem+json on"
            " stdout), html for a page with charts.",
        ),
    ] = CompareFormat.TABLE,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-O", help="Write the HTML page here (with -o html).")
    ] = None,
) -> ExperimentReport | HtmlReport:
    """The comparison with the verdict: a table, JSON, or one static HTML page with charts.

    Examples:

      phoenix experiment compare topk-trial

      phoenix experiment compare topk-trial -o html --out report.html
    """
    report = _experiments().report(experiment)
    if output is not CompareFormat.HTML:
        if out_file is not None:
            raise ToolError(
                "PHOENIX_OUT_NEEDS_HTML",
                "--out writes the HTML page; the table and JSON go to stdout.",
                suggestions=[f"Add -o html: phoenix experiment compare {experiment} -o html"],
                exit_code=ExitCode.USAGE,
            )
        return report
    from phoenix.experiments.report import html_report

    page = html_report(report)
    if out_file is not None:
        from groundwork.state import atomic_write_text

        atomic_write_text(out_file, page)
    return HtmlReport(page=page, written_to=out_file)


def _promoted(result: Promotion) -> Text:
    d = result.deployment
    return plain(
        f"Deployed {d.pipeline} (version {d.version}) from experiment {result.experiment.id}."
    )


@app.command("promote")
@renders(_promoted)
def promote(
    experiment: IdArg,
    variant: Annotated[
        PromotedVariant, typer.Option("--variant", help="The pipeline to deploy.")
    ] = PromotedVariant.CANDIDATE,
    output: OutputOption = OutputFormat.TABLE,
) -> Promotion:
    """Deploy the winning pipeline.

    Examples:

      phoenix experiment promote topk-trial

      phoenix experiment promote topk-trial --variant baseline
    """
    return _experiments().promote(experiment, variant)


def _stopped(result: ExperimentResult) -> Text:
    return _line(result.experiment, "The deployment from before it is back.")


@app.command("stop")
@renders(_stopped)
def stop(experiment: IdArg, output: OutputOption = OutputFormat.TABLE) -> ExperimentResult:
    """Cancel an experiment and restore the deployment that was there before it.

    Examples:

      phoenix experiment stop topk-trial
    """
    return ExperimentResult(experiment=_experiments().stop(experiment))


def _deleted(result: ExperimentDeleted) -> Text:
    return plain(f"Deleted experiment {result.experiment.id} ({result.experiment.name}).")


@app.command("delete")
@renders(_deleted)
def delete(experiment: IdArg, output: OutputOption = OutputFormat.TABLE) -> ExperimentDeleted:
    """Delete an experiment and its figures (a running one is stopped first).

    Examples:

      phoenix experiment delete topk-trial
    """
    return ExperimentDeleted(experiment=_experiments().delete(experiment))


def _list_table(result: ExperimentList) -> RenderableType:
    if not result.experiments:
        return plain("No experiments yet. Create one: phoenix experiment create NAME --candidate P")
    table = plain_table(None, ("id", "name", "A", "B", "state", "verdict"))
    for e in result.experiments:
        plain_row(table, e.id, e.name, e.baseline, e.candidate, e.state, e.verdict or "-")
    return table


@app.command("list")
@renders(_list_table)
def list_experiments(output: OutputOption = OutputFormat.TABLE) -> ExperimentList:
    """All experiments.

    Examples:

      phoenix experiment list -o json
    """
    return ExperimentList(experiments=_experiments().list())
