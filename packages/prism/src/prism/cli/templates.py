"""`prism templates list|info|validate|render`: these run locally, without the daemon."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, emit_json
from prism.cli.render import console
from prism.cli.workstations import parse_params
from prism.home import home

if TYPE_CHECKING:
    from prism.templates.catalog import Catalog

app = typer.Typer(help="Templates: what a workstation is built from (bundled, or your own YAML).")


def _catalog() -> "Catalog":
    from prism.templates.catalog import Catalog  # deferred: YAML and the template models

    return Catalog(home() / "templates")


@app.command("list")
def list_templates(output: OutputOption = OutputFormat.TABLE) -> None:
    """List bundled templates and yours (in the state folder's templates/).

    Examples:

      prism templates list

      prism templates list --output json
    """
    files = _catalog().files()
    if output is OutputFormat.JSON:
        emit_json(
            [
                {
                    "slug": slug,
                    "name": f.template.name,
                    "description": f.template.description,
                    "base": f.template.base,
                    "origin": f.origin,
                    "path": f.path,
                    "minimum_size": f.template.minimum_size,
                    "connection_type": f.template.connection_type,
                }
                for slug, f in sorted(files.items())
            ]
        )
        return
    table = Table(title="Templates", title_justify="left")
    for column in ("slug", "name", "base", "min size", "from", "description"):
        table.add_column(column, overflow="fold")
    for slug, f in sorted(files.items()):
        t = f.template
        table.add_row(
            slug, t.name, t.base or "(inherited)", t.minimum_size or "-", f.origin, t.description
        )
    console.print(table)


@app.command("info")
def info(
    name: Annotated[str, typer.Argument(help="Template slug or name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Show a template as a launch would use it (inheritance merged).

    Examples:

      prism templates info python-ml-workstation

      prism templates info rocky-conda-stack --output json
    """
    resolved = _catalog().resolve(name)
    t = resolved.template
    if output is OutputFormat.JSON:
        emit_json(
            {
                "slug": t.key,
                "origin": resolved.file.origin,
                "path": resolved.file.path,
                "warnings": resolved.file.warnings,
                **t.model_dump(mode="json", exclude_none=True),
            }
        )
        return
    console.print(f"[bold]{t.name}[/bold] ({t.key}, {resolved.file.origin})")
    console.print(t.long_description or t.description)
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    rows = {
        "base": t.base,
        "inherits": ", ".join(resolved.file.template.inherits),
        "minimum size": t.minimum_size,
        "instance type": t.instance_defaults.type,
        "root volume": f"{t.instance_defaults.root_volume_gb or 20} GB",
        "connection": t.connection_type,
        "ports": ", ".join(map(str, sorted({22, *t.ports, *t.instance_defaults.ports}))),
        "system packages": ", ".join(t.packages.system),
        "conda packages": ", ".join(t.packages.conda),
        "pip packages": ", ".join(t.packages.pip),
        "users": ", ".join(u.name for u in t.users),
        "services": ", ".join(f"{s.name}:{s.port}" if s.port else s.name for s in t.services),
    }
    for key, value in rows.items():
        if value:
            table.add_row(key, str(value))
    for pname, spec in t.parameters.items():
        detail = f"{spec.type}, default {spec.default!r}"
        if spec.choices:
            detail += f", one of {', '.join(map(str, spec.choices))}"
        table.add_row(f"--param {pname}", detail)
    console.print(table)
    for warning in resolved.file.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}")


@app.command("validate")
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Template files (default: all templates).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Check templates: YAML, fields, inheritance, parameters and the setup script.

    Exits 1 when any template has an error. Without paths, checks every bundled and user
    template, concurrently.

    Examples:

      prism templates validate

      prism templates validate my-lab.yml --output json
    """
    reports = _catalog().validate_paths(list(paths or []))
    failed = [r for r in reports if not r.ok]
    if output is OutputFormat.JSON:
        emit_json(
            [
                {
                    "path": r.path,
                    "slug": r.slug,
                    "ok": r.ok,
                    "errors": [e.to_dict() for e in r.errors],
                    "warnings": r.warnings,
                }
                for r in reports
            ]
        )
    else:
        table = Table(title="Template validation", title_justify="left")
        for column in ("template", "result", "details"):
            table.add_column(column, overflow="fold")
        for r in reports:
            details = [f"{e}\n  fix: {e.fix}" for e in r.errors] + r.warnings
            result = "[green]ok[/green]" if r.ok else "[bold red]error[/bold red]"
            table.add_row(r.slug or r.path, result, "\n".join(details))
        console.print(table)
        console.print(f"{len(reports) - len(failed)} valid, {len(failed)} with errors")
    if failed:
        raise typer.Exit(int(ExitCode.FAILURE))


@app.command("render")
def render(
    name: Annotated[str, typer.Argument(help="Template slug or name.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Template parameter key=value.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Print the setup script (UserData) a workstation would run at first boot.

    Examples:

      prism templates render python-ml-workstation

      prism templates render python-ml-workstation --param python_version=3.12 > setup.sh
    """
    resolved = _catalog().resolve(name, parse_params(param))
    script = resolved.user_data()
    if output is OutputFormat.JSON:
        emit_json(
            {
                "slug": resolved.template.key,
                "parameters": resolved.values,
                "size_bytes": len(script.encode()),
                "limit_bytes": 16 * 1024,
                "script": script,
            }
        )
        return
    typer.echo(script, nl=False)
