"""`phoenix experiment ...`: A/B experiments on this host's real processes."""

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json
from phoenix.home import home

console = Console()
app = typer.Typer(help="A/B experiments: baseline against candidate over the same scrapes.")
IdArg = Annotated[str, typer.Argument(help="Experiment id or name.")]


def _experiments() -> Any:
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
        values[key.strip()] = float(value)
    return values["min_reduction"], values["critical"]


@app.command("create")
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
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Create an experiment (pending until started).

    Examples:

      phoenix experiment create trial --candidate process-topk-v1 --duration 5m
    """
    from phoenix.experiments.service import parse_duration

    min_reduction, min_critical = _success(success)
    exp = _experiments().create(
        name,
        baseline,
        candidate,
        parse_duration(duration),
        parse_duration(interval),
        critical,
        min_reduction,
        min_critical,
    )
    if output is OutputFormat.JSON:
        emit_json(exp)
        return
    console.print(
        f"Created experiment {exp['id']} ({name}). Start it: phoenix experiment start {exp['id']}"
    )


@app.command("start")
def start(experiment: IdArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Start a pending experiment in the background.

    Examples:

      phoenix experiment start 3f2a9c1d
    """
    exp = _experiments().start(experiment)
    if output is OutputFormat.JSON:
        emit_json(exp)
        return
    console.print(
        f"Experiment {exp['id']} is running."
        f" Watch it: phoenix experiment status {exp['id']} --watch"
    )


def _status_table(comparison: dict[str, Any]) -> Table:
    exp = comparison["experiment"]
    table = Table(
        title=f"{exp['name']} ({exp['id']}): {exp['state']}"
        + (f", {exp['verdict']}" if exp.get("verdict") else ""),
        title_justify="left",
    )
    table.add_column("")
    table.add_column("A " + exp["baseline"], justify="right")
    table.add_column("B " + exp["candidate"], justify="right")
    labels = {
        "intervals": "intervals",
        "input_series": "input series",
        "output_series": "output series",
        "reduction_percent": "reduction %",
        "critical_retention_percent": "critical retained %",
        "datapoints_per_minute": "datapoints / min",
        "monthly_cost_usd": "monthly cost $",
        "engine_cpu_ms": "engine CPU ms / scrape",
    }
    a, b = comparison["variants"].get("A", {}), comparison["variants"].get("B", {})
    for key, label in labels.items():
        table.add_row(label, str(a.get(key, "-")), str(b.get(key, "-")))
    return table


@app.command("status")
def status(
    experiment: IdArg,
    watch: Annotated[bool, typer.Option("--watch", help="Refresh until it ends.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """State and figures so far.

    Examples:

      phoenix experiment status topk-trial --watch
    """
    experiments = _experiments()
    while True:
        comparison = experiments.compare(experiment)
        if output is OutputFormat.JSON:
            emit_json(comparison["experiment"] | {"variants": comparison["variants"]})
            return
        console.clear() if watch else None
        console.print(_status_table(comparison))
        if not watch or comparison["experiment"]["state"] not in (
            "pending",
            "running",
            "analyzing",
        ):
            return
        time.sleep(2)


@app.command("compare")
def compare(
    experiment: IdArg,
    output: Annotated[str, typer.Option("--output", "-o", help="table, json or html.")] = "table",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the HTML here.")] = None,
) -> None:
    """The comparison with the verdict: a table, JSON, or one static HTML page with charts.

    Examples:

      phoenix experiment compare topk-trial

      phoenix experiment compare topk-trial -o html --out report.html
    """
    from phoenix.experiments.report import html_report

    comparison = _experiments().compare(experiment)
    if output == "json":
        emit_json(comparison)
    elif output == "html":
        page = html_report(comparison)
        if out_file:
            from groundwork.state import atomic_write_text

            atomic_write_text(out_file, page)
            console.print(f"Wrote {out_file}")
        else:
            typer.echo(page, nl=False)
    else:
        console.print(_status_table(comparison))
        exp = comparison["experiment"]
        if exp.get("message"):
            console.print(exp["message"])


@app.command("promote")
def promote(
    experiment: IdArg,
    variant: Annotated[str, typer.Option("--variant", help="candidate or baseline.")] = "candidate",
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Deploy the winning pipeline.

    Examples:

      phoenix experiment promote topk-trial
    """
    result = _experiments().promote(experiment, variant)
    if output is OutputFormat.JSON:
        emit_json(result)
        return
    console.print(
        f"Deployed {result['deployed']['pipeline']} (version {result['deployed']['version']})."
    )


@app.command("stop")
def stop(experiment: IdArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Cancel an experiment and restore the deployment that was there before it.

    Examples:

      phoenix experiment stop topk-trial
    """
    exp = _experiments().stop(experiment)
    emit_json(exp) if output is OutputFormat.JSON else console.print(
        f"Experiment {exp['id']} is {exp['state']}."
    )


@app.command("delete")
def delete(experiment: IdArg) -> None:
    """Delete an experiment and its figures.

    Examples:

      phoenix experiment delete topk-trial
    """
    _experiments().delete(experiment)
    console.print("Deleted.")


@app.command("list")
def list_experiments(output: OutputOption = OutputFormat.TABLE) -> None:
    """All experiments.

    Examples:

      phoenix experiment list -o json
    """
    found = _experiments().list()
    if output is OutputFormat.JSON:
        emit_json(found)
        return
    table = Table()
    for column in ("id", "name", "A", "B", "state", "verdict"):
        table.add_column(column)
    for e in found:
        table.add_row(
            e["id"], e["name"], e["baseline"], e["candidate"], e["state"], e["verdict"] or "-"
        )
    console.print(table)
