"""`prism templates list|info|validate|render`: these run locally, without the daemon."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.launch import parse_params
from prism.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.templates.catalog import Catalog
    from prism.templates.results import ScriptResult, TemplateInfo, TemplateList, ValidationResult

app = typer.Typer(help="Templates: what a workstation is built from (bundled, or your own YAML).")

LIMIT_BYTES = 16 * 1024


def _catalog() -> "Catalog":
    from prism.templates.catalog import Catalog  # deferred: YAML and the template models

    return Catalog(home() / "templates")


def _list_view(result: "TemplateList") -> "RenderableType":
    from rich.table import Table

    table = Table(title="Templates", title_justify="left")
    for column in ("slug", "name", "base", "min size", "from", "description"):
        table.add_column(column, overflow="fold")
    for t in result.templates:
        table.add_row(
            t.slug, t.name, t.base or "(inherited)", t.minimum_size or "-", t.origin, t.description
        )
    return table


@app.command("list")
@renders(_list_view)
def list_templates(output: OutputOption = OutputFormat.TABLE) -> "TemplateList":
    """List bundled templates and yours (in the state folder's templates/).

    Examples:

      prism templates list

      prism templates list --output json
    """
    from prism.templates.results import TemplateList, TemplateSummary

    return TemplateList(
        templates=[
            TemplateSummary(
                slug=slug,
                name=f.template.name,
                description=f.template.description,
                base=f.template.base,
                origin=f.origin,
                path=f.path,
                minimum_size=f.template.minimum_size,
                connection_type=f.template.connection_type,
            )
            for slug, f in sorted(_catalog().files().items())
        ]
    )


def _info_view(result: "TemplateInfo") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    detail = result.template
    t = detail.definition
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    rows = {
        "base": t.base,
        "inherits": ", ".join(t.inherits),
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
        text = f"{spec.type}, default {spec.default!r}"
        if spec.choices:
            text += f", one of {', '.join(map(str, spec.choices))}"
        table.add_row(f"--param {pname}", text)
    return Group(
        f"[bold]{t.name}[/bold] ({detail.slug}, {detail.origin})",
        t.long_description or t.description,
        table,
        *(f"[yellow]warning[/yellow] {warning}" for warning in detail.warnings),
    )


@app.command("info")
@renders(_info_view)
def info(
    name: Annotated[str, typer.Argument(help="Template slug or name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "TemplateInfo":
    """Show a template as a launch would use it (inheritance merged).

    Examples:

      prism templates info python-ml-workstation

      prism templates info rocky-conda-stack --output json
    """
    from prism.templates.results import TemplateDetail, TemplateInfo

    resolved = _catalog().resolve(name)
    definition = resolved.template.model_copy(update={"inherits": resolved.file.template.inherits})
    return TemplateInfo(
        template=TemplateDetail(
            slug=resolved.template.key,
            origin=resolved.file.origin,
            path=resolved.file.path,
            warnings=resolved.file.warnings,
            definition=definition,
        )
    )


def _validation_view(result: "ValidationResult") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    table = Table(title="Template validation", title_justify="left")
    for column in ("template", "result", "details"):
        table.add_column(column, overflow="fold")
    for r in result.reports:
        details = [f"{e}\n  fix: {e.fix}" for e in r.errors] + r.warnings
        outcome = "[green]ok[/green]" if r.ok else "[bold red]error[/bold red]"
        table.add_row(r.slug or r.path, outcome, "\n".join(details))
    return Group(table, f"{result.valid} valid, {result.invalid} with errors")


def _any_invalid(result: "ValidationResult") -> int:
    return ExitCode.FAILURE if result.invalid else ExitCode.OK


@app.command("validate")
@renders(_validation_view, exit_code=_any_invalid)
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Template files (default: all templates).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ValidationResult":
    """Check templates: YAML, fields, inheritance, parameters and the setup script.

    Without paths, checks every bundled and user template, concurrently.

    Exits 1 when any template has an error.

    Examples:

      prism templates validate

      prism templates validate my-lab.yml --output json
    """
    from prism.templates.results import ValidationResult

    reports = _catalog().validate_paths(list(paths or []))
    invalid = sum(1 for r in reports if not r.ok)
    return ValidationResult(reports=reports, valid=len(reports) - invalid, invalid=invalid)


def _script_view(result: "ScriptResult") -> None:
    typer.echo(result.script.text, nl=False)


@app.command("render")
@renders(_script_view)
def render(
    name: Annotated[str, typer.Argument(help="Template slug or name.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Template parameter key=value.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ScriptResult":
    """Print the setup script (UserData) a workstation would run at first boot.

    Examples:

      prism templates render python-ml-workstation

      prism templates render python-ml-workstation --param python_version=3.12 > setup.sh
    """
    from prism.templates.results import RenderedScript, ScriptResult

    resolved = _catalog().resolve(name, parse_params(param))
    script = resolved.user_data()
    return ScriptResult(
        script=RenderedScript(
            template=resolved.template.key,
            parameters=resolved.values,
            size_bytes=len(script.encode()),
            limit_bytes=LIMIT_BYTES,
            text=script,
        )
    )
