"""`prism templates list|info|validate|render`: these run locally, without the daemon (render
--project asks prismd, which knows the project's space and data buckets).

The group's other commands live beside it: repositories, versions and installs in
:mod:`prism.cli.template_repos`, authoring and testing in :mod:`prism.cli.template_authoring`.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.cli.launch import parse_params
from prism.cli.text import plain
from prism.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.templates.catalog import Catalog
    from prism.templates.results import ScriptResult, TemplateInfo, TemplateList, ValidationResult

app = typer.Typer(help="Templates: what a workstation is built from (bundled, or your own YAML).")

LIMIT_BYTES = 16 * 1024


def _catalog() -> "Catalog":
    from prism.templates.catalog import catalog_for  # deferred: YAML and the template models

    return catalog_for(home())


def _list_view(result: "TemplateList") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    table = Table(title="Templates", title_justify="left")
    for column in ("slug", "version", "base", "connect", "from"):
        table.add_column(column, no_wrap=True)
    table.add_column("name", min_width=12)
    invalid = []
    for t in result.templates:
        origin = t.installed_from or t.origin
        table.add_row(
            plain(t.slug, "red" if not t.valid else ""),
            plain(t.version or "-"),
            plain(t.base or "(inherited)"),
            plain(t.connection_type or "auto"),
            plain(origin),
            plain(t.name),
        )
        if not t.valid:
            invalid.append(plain(f"invalid: {t.slug} ({t.path}): {t.error}", "red"))
    return Group(table, *invalid)


@app.command("list")
@renders(_list_view)
def list_templates(output: OutputOption = OutputFormat.TABLE) -> "TemplateList":
    """List bundled templates and yours, invalid ones with their first error.

    Yours: the state folder's templates/ (with subfolders) and the folders of
    PRISM_TEMPLATE_PATH.

    Examples:

      prism templates list

      prism templates list --output json
    """
    from prism.templates.repos.records import installed_from
    from prism.templates.results import TemplateList, TemplateSummary

    catalog = _catalog()
    installed = installed_from(home())
    summaries = []
    for slug, f in sorted(catalog.files().items()):
        report = catalog.validate_one(f)
        source = installed.get(slug) if f.origin == "user" else None
        summaries.append(
            TemplateSummary(
                slug=slug,
                name=f.template.name,
                description=f.template.description,
                base=f.template.base,
                origin=f.origin,
                path=f.path,
                minimum_size=f.template.minimum_size,
                connection_type=f.template.connection_type,
                version=f.template.version,
                valid=report.ok,
                error=str(report.errors[0]) if report.errors else None,
                installed_from=source,
            )
        )
    for broken in catalog.broken:
        first = broken.issues[0]
        summaries.append(
            TemplateSummary(
                slug=Path(first.path).stem,
                name="",
                description="",
                base=None,
                origin="user",
                path=first.path,
                minimum_size=None,
                connection_type=None,
                valid=False,
                error=str(first),
            )
        )
    return TemplateList(templates=summaries)


def _info_view(result: "TemplateInfo") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    detail = result.template
    t = detail.definition
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    connection = detail.connection
    desktop = f", desktop: {connection.desktop}" if connection.desktop else ""
    rows = {
        "version": t.version,
        "from": detail.installed_from,
        "base": t.base,
        "inherits": ", ".join(t.inherits),
        "minimum size": t.minimum_size,
        "instance type": t.instance_defaults.type
        or ", ".join(t.instance_defaults.instance_type_preference),
        "root volume": f"{t.instance_defaults.root_volume_gb or 20} GB",
        "connection": f"{connection.type} (first: {connection.primary}{desktop})",
        "reach it with": "; ".join(connection.verbs),
        "ports": ", ".join(map(str, connection.ports)),
        "system packages": ", ".join(t.packages.system),
        "conda packages": ", ".join(t.packages.conda),
        "pip packages": ", ".join(t.packages.pip),
        "users": ", ".join(u.name for u in t.users),
        "services": ", ".join(f"{s.name}:{s.port}" if s.port else s.name for s in t.services),
        "containers": ", ".join(f"{c.name} ({c.image})" for c in t.containers),
        "architectures": ", ".join(detail.architectures)
        + (f" ({detail.architectures_reason})" if detail.architectures_reason else ""),
    }
    for key, value in rows.items():
        if value:
            table.add_row(key, plain(str(value)))
    for pname, spec in t.parameters.items():
        text = f"{spec.type}, default {spec.default!r}"
        if spec.choices:
            text += f", one of {', '.join(map(str, spec.choices))}"
        if spec.pattern:
            text += f", matching {spec.pattern}"
        table.add_row(f"--param {pname}", plain(text))
    for review in detail.reviews:
        version = f"@{review.version}" if review.version else ""
        comment = f": {review.comment}" if review.comment else ""
        table.add_row("reviewed", plain(f"{review.reviewer} ({review.template}{version}){comment}"))
    return Group(
        plain(f"{t.name} ({detail.slug}, {detail.origin})", "bold"),
        plain(t.long_description or t.description),
        table,
        _sizes_table(result),
        *(plain(f"warning {warning}", "yellow") for warning in detail.warnings),
    )


def _sizes_table(result: "TemplateInfo") -> "RenderableType":
    """Each size's instance type and USD per hour on x86_64 and on arm64 (Graviton)."""
    from rich.table import Table

    detail = result.template
    table = Table(title=f"Per hour in {detail.price_region}, USD", title_justify="left")
    for column in ("size", "x86_64", "arm64 (Graviton)"):
        table.add_column(column, no_wrap=True)
    for row in detail.sizes:
        cells = [
            f"{p.instance_type}  {p.hourly_usd:.4f}" if p else "-" for p in (row.x86_64, row.arm64)
        ]
        table.add_row(row.size, *cells)
    return table


@app.command("info")
@renders(_info_view)
def info(
    name: Annotated[str, typer.Argument(help="Template slug or name.")],
    region: Annotated[
        str | None,
        typer.Option("--region", help="Region of the prices (default: the active profile's)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "TemplateInfo":
    """Show a template as a launch would use it, how it is reached, and its reviews.

    Inheritance merged, placeholders filled with defaults; reviews from its repository.
    Each size with its instance type and price per hour on x86_64 and on arm64 (Graviton,
    prism launch --arch arm64), "-" where the template does not work on it.

    Examples:

      prism templates info python-ml-workstation

      prism templates info rstudio-server --region eu-west-1

      prism templates info rocky-conda-stack --output json
    """
    from prism.templates.info import template_info

    return template_info(home(), _catalog(), name, region)


def _validation_view(result: "ValidationResult") -> "RenderableType":
    from rich.console import Group
    from rich.table import Table

    table = Table(title="Template validation", title_justify="left")
    table.add_column("template", no_wrap=True)
    table.add_column("result")
    table.add_column("details")
    for r in result.reports:
        details = [f"{e}\n  fix: {e.fix}" for e in r.errors] + r.warnings
        outcome = plain("ok", "green") if r.ok else plain("error", "bold red")
        table.add_row(plain(r.slug or r.path), outcome, plain("\n".join(details)))
    return Group(table, f"{result.valid} valid, {result.invalid} with errors")


def _any_invalid(result: "ValidationResult") -> int:
    return ExitCode.FAILURE if result.invalid else ExitCode.OK


@app.command("validate")
@renders(_validation_view, exit_code=_any_invalid)
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Template files or folders (default: all templates)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ValidationResult":
    """Check templates: YAML, fields, inheritance, placeholders, parameters, setup script.

    Without paths, checks every bundled and user template, concurrently; a folder is
    checked with its subfolders (the original's whole collection at once).

    Exits 1 when any template has an error.

    Examples:

      prism templates validate

      prism templates validate ~/prism-templates/

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
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            help="As a workstation of this project runs it: its shared space and data buckets"
            " mounted (asks prismd).",
        ),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "ScriptResult":
    """Print the setup script (UserData) a workstation would run at first boot.

    Examples:

      prism templates render python-ml-workstation

      prism templates render python-ml-workstation --param python_version=3.12 > setup.sh

      prism templates render python-ml-workstation --project genomics
    """
    from prism.templates.results import RenderedScript, ScriptResult

    if project is not None:
        from prism.cli.launch import template_path
        from prism.cli.service import daemon_client

        body = {
            "template": name,
            "params": parse_params(param),
            "template_dirs": template_path(),
        }
        path = f"/api/v1/projects/{project}/render"
        return daemon_client().call("POST", path, ScriptResult, body=body)
    resolved = _catalog().resolve(name, parse_params(param))
    script = resolved.user_data()
    for note in resolved.notes:
        stderr_console().print(plain(f"warning {note}", "yellow"))
    return ScriptResult(
        script=RenderedScript(
            template=resolved.template.key,
            parameters=resolved.values,
            size_bytes=len(script.encode()),
            limit_bytes=LIMIT_BYTES,
            text=script,
        )
    )


from prism.cli import template_authoring, template_repos  # noqa: E402 - they add to `app`

__all__ = ["app", "template_authoring", "template_repos"]
