"""`peragus template list|save`: notebook templates, shipped and the user's own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from peragus.cli.notebooks import DirOption, store
from peragus.home import home
from peragus.templates import TemplateList, TemplateResult

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["template_app"]

template_app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Notebook templates: starting points."
)


@template_app.callback()
def _templates() -> None:
    """Notebook templates: those shipped with peragus and those saved from a notebook."""


def _table(result: TemplateList) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Templates (peragus new TITLE --template NAME)", title_justify="left")
    for column in ("name", "title", "language", "from"):
        table.add_column(column)
    for t in result.templates:
        table.add_row(t.name, escape(t.title), t.language, "peragus" if t.builtin else "you")
    return table


@template_app.command("list")
@renders(_table)
def list_templates(output: OutputOption = OutputFormat.TABLE) -> TemplateList:
    """List templates.

    Examples:

      peragus template list --output json
    """
    from peragus.templates import Templates

    return TemplateList(templates=Templates(home()).all())


def _saved(result: TemplateResult) -> None:
    typer.echo(f"Saved the template {result.template.name} ({result.template.title})")


@template_app.command("save")
@renders(_saved)
def save_template(
    notebook: Annotated[str, typer.Argument(help="The notebook to save as a template.")],
    title: Annotated[
        str | None, typer.Option("--title", help="The template's title (the notebook's if unset).")
    ] = None,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> TemplateResult:
    """Save a notebook as a template, for `peragus new --template` and the web UI's list.

    Examples:

      peragus template save weekly-report --title "Weekly report"
    """
    from peragus.observability.audit import audit_log
    from peragus.templates import Templates

    notebooks = store(folder)
    loaded = notebooks.load(notebook)
    template = Templates(home()).save(notebooks.export(notebook), title or loaded.title)
    audit_log(home()).record("template.save", template.name, via="cli", notebook=notebook)
    return TemplateResult(template=template)
