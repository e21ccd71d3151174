"""`phoenix pipeline ...`: the catalog, validation, versioned deployments, collector configs."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json
from phoenix.home import home

console = Console()
app = typer.Typer(
    help="Optimisation pipelines: catalog, validation, deployments, collector configs."
)


def _conn() -> Any:
    from phoenix.store import open_store

    return open_store(home())


def _params(values: list[str] | None) -> dict[str, str]:
    params = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ToolError(
                "PHOENIX_PARAM_MALFORMED",
                f"--param {item!r} is not key=value.",
                suggestions=["e.g. --param topk.k=10"],
                exit_code=ExitCode.USAGE,
            )
        params[key] = value
    return params


@app.command("list")
def list_pipelines(output: OutputOption = OutputFormat.TABLE) -> None:
    """The catalog, with expected reductions.

    Examples:

      phoenix pipeline list
    """
    from phoenix.pipelines import catalog

    pipelines = catalog.all_pipelines()
    if output is OutputFormat.JSON:
        emit_json(
            [
                {
                    "name": p.name,
                    "description": p.description,
                    "expected_reduction": p.expected_reduction.model_dump(),
                    "critical_processes": p.critical_processes.model_dump(),
                    "processors": [s.type for s in p.processors],
                }
                for p in pipelines
            ]
        )
        return
    table = Table(title="Pipeline catalog", title_justify="left")
    for column in ("name", "expected reduction", "processors", "description"):
        table.add_column(column, overflow="fold")
    for p in pipelines:
        r = p.expected_reduction
        table.add_row(
            p.name,
            f"{r.min:g}-{r.max:g}%",
            ", ".join(s.type for s in p.processors) or "-",
            p.description,
        )
    console.print(table)


@app.command("show")
def show(name: str, output: OutputOption = OutputFormat.TABLE) -> None:
    """Print a catalog pipeline's YAML (or JSON).

    Examples:

      phoenix pipeline show process-topk-v1
    """
    from phoenix.pipelines import catalog

    if output is OutputFormat.JSON:
        emit_json(catalog.get(name).model_dump(by_alias=True))
        return
    typer.echo(catalog.source(name), nl=False)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="A pipeline YAML file.")],
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Check a pipeline: schema (with line numbers), processors, critical-process safety, secrets.

    Examples:

      phoenix pipeline validate my-pipeline.yaml
    """
    from phoenix.pipelines.loader import PipelineInvalid, load_file

    if not file.exists():
        raise ToolError(
            "PHOENIX_FILE_NOT_FOUND",
            f"{file} does not exist.",
            suggestions=["Check the path."],
            exit_code=ExitCode.NOT_FOUND,
        )
    try:
        pipeline = load_file(file)
    except PipelineInvalid as exc:
        if output is OutputFormat.JSON:
            emit_json({"valid": False, "problems": [p.as_dict() for p in exc.problems]})
            raise typer.Exit(int(ExitCode.USAGE)) from None
        raise
    if output is OutputFormat.JSON:
        emit_json({"valid": True, "name": pipeline.name})
        return
    console.print(f"[green]{file} is valid[/green]: {pipeline.name}")


@app.command("deploy")
def deploy(
    name: Annotated[str, typer.Argument(help="Catalog name or a pipeline file.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="processor.field=value")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Deploy a pipeline on this host (a new version; rollback restores the previous one).

    Examples:

      phoenix pipeline deploy process-topk-v1 --param topk.k=10
    """
    from phoenix.deployments import deploy as do_deploy

    deployment = do_deploy(_conn(), name, _params(param), "deployed by hand")
    if output is OutputFormat.JSON:
        emit_json(deployment.to_dict())
        return
    console.print(f"Deployed {deployment.pipeline} as version {deployment.version}.")


@app.command("status")
def status(output: OutputOption = OutputFormat.TABLE) -> None:
    """The deployed pipeline and the deployment history.

    Examples:

      phoenix pipeline status --output json
    """
    from phoenix.deployments import BASELINE, history

    versions = history(_conn())
    if output is OutputFormat.JSON:
        emit_json(
            {
                "current": versions[0].to_dict() if versions else None,
                "history": [d.to_dict() for d in versions],
            }
        )
        return
    if not versions:
        console.print(f"Nothing deployed: the host runs {BASELINE} (no optimisation).")
        return
    table = Table()
    for column in ("version", "pipeline", "params", "why", "when"):
        table.add_column(column)
    for d in versions:
        table.add_row(str(d.version), d.pipeline, str(d.params or ""), d.reason, d.deployed_at)
    console.print(table)


@app.command("get-config")
def get_config() -> None:
    """Print the deployed pipeline's YAML.

    Examples:

      phoenix pipeline get-config > current.yaml
    """
    from phoenix.deployments import BASELINE, current
    from phoenix.pipelines import catalog

    deployment = current(_conn())
    typer.echo(deployment.source if deployment else catalog.source(BASELINE), nl=False)


@app.command("rollback")
def rollback(
    to: Annotated[int | None, typer.Option("--to", help="Version to go back to.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Re-deploy the previous version (or --to VERSION).

    Examples:

      phoenix pipeline rollback

      phoenix pipeline rollback --to 2
    """
    from phoenix.deployments import rollback as do_rollback

    deployment = do_rollback(_conn(), to)
    if output is OutputFormat.JSON:
        emit_json(deployment.to_dict())
        return
    console.print(
        f"Rolled back: {deployment.pipeline} is deployed as version {deployment.version}."
    )


@app.command("delete")
def delete(output: OutputOption = OutputFormat.TABLE) -> None:
    """Return to the baseline pipeline (a new version, so it can be rolled back too).

    Examples:

      phoenix pipeline delete
    """
    from phoenix.deployments import BASELINE
    from phoenix.deployments import deploy as do_deploy

    deployment = do_deploy(_conn(), BASELINE, {}, "deleted: back to baseline")
    if output is OutputFormat.JSON:
        emit_json(deployment.to_dict())
        return
    console.print(f"Back to {BASELINE} (version {deployment.version}).")


@app.command("render")
def render(
    name: Annotated[str, typer.Argument(help="Catalog name or a pipeline file.")],
    fmt: Annotated[str, typer.Option("--format", help="otelcol or k8s.")] = "otelcol",
    namespace: Annotated[str, typer.Option("--namespace", help="For k8s.")] = "observability",
) -> None:
    """Write the equivalent OpenTelemetry Collector config, or a DaemonSet and ConfigMap.

    Examples:

      phoenix pipeline render process-topk-v1 --format otelcol > collector.yaml

      phoenix pipeline render process-topk-v1 --format k8s | kubectl apply -f -
    """
    import yaml

    from phoenix.deployments import load_pipeline
    from phoenix.pipelines.loader import load_text
    from phoenix.pipelines.render import render_k8s, render_notes, render_otelcol

    source_name, text = load_pipeline(name)
    pipeline = load_text(text, source_name)
    notes = "".join(f"# {note}\n" for note in render_notes(pipeline))
    if fmt == "otelcol":
        typer.echo(notes + yaml.safe_dump(render_otelcol(pipeline), sort_keys=False), nl=False)
    elif fmt == "k8s":
        docs = render_k8s(pipeline, namespace)
        typer.echo(notes + yaml.safe_dump_all(docs, sort_keys=False), nl=False)
    else:
        raise ToolError(
            "PHOENIX_FORMAT_UNKNOWN",
            f"--format {fmt!r} is not otelcol or k8s.",
            suggestions=["Use --format otelcol or --format k8s."],
            exit_code=ExitCode.USAGE,
        )
