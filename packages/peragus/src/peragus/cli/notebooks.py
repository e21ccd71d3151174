"""`peragus new|list|import|export|delete`: each returns its result; `@renders` shows it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from peragus.home import home
from peragus.notebooks.listing import NotebookOrder
from peragus.notebooks.model import Language
from peragus.results import (
    DeletedNotebook,
    ExportedNotebook,
    NotebookList,
    NotebookResult,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from peragus.notebooks.store import NotebookStore

DirOption = Annotated[
    Path | None, typer.Option("--dir", help="Notebooks folder (default: PERAGUS_HOME/notebooks).")
]


def store(folder: Path | None) -> NotebookStore:
    from peragus.notebooks.store import NotebookStore

    return NotebookStore(folder or home() / "notebooks")


def _say(line: str) -> None:
    """One plain line: Rich would fold a long path at 80 columns when piped, and read any
    [brackets] in a title as markup.
    """
    typer.echo(line)


def _created(result: NotebookResult) -> None:
    _say(f"Created {result.notebook.name} in {result.notebook.folder}")


@renders(_created)
def new(
    title: str,
    language: Annotated[Language, typer.Option("--language", help="The code cells' language.")] = (
        "typescript"
    ),
    template: Annotated[
        str | None,
        typer.Option("--template", help="Start from a template (peragus template list)."),
    ] = None,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> NotebookResult:
    """Create a notebook (a folder that is also an npm project), blank or from a template.

    Examples:

      peragus new "Data cleaning" --language typescript

      peragus new "Weather" --template http-api
    """
    from peragus.notebooks.store import new_notebook

    notebooks = store(folder)
    if template is None:
        notebook = new_notebook(title, language)
    else:
        from peragus.notebooks.srcmd import decode
        from peragus.templates import Templates

        text = Templates(home()).text(template)
        notebook = decode(text, f"the template {template}").model_copy(update={"title": title})
    return NotebookResult(notebook=notebooks.info(notebooks.save(notebook)))


def _notebook_table(result: NotebookList) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    if not result.notebooks:
        where = escape(result.folder)
        return f"No notebooks in {where} yet: peragus new TITLE, or peragus import FILE."
    table = Table(title=f"Notebooks in {escape(result.folder)}", title_justify="left")
    for column in ("name", "title", "language", "cells"):
        table.add_column(column)
    for n in result.notebooks:
        if n.error is not None:
            table.add_row(escape(n.name), f"[red]{escape(n.error)}[/red]", "", "")
        else:
            table.add_row(escape(n.name), escape(n.title), n.language, str(n.cells))
    return table


@renders(_notebook_table)
def list_notebooks(
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="In the title or the name, any case.")
    ] = None,
    language: Annotated[
        Language | None, typer.Option("--language", help="Only notebooks in this language.")
    ] = None,
    modified_within: Annotated[
        float | None,
        typer.Option("--modified-within", help="Only those edited in the last DAYS.", min=0.001),
    ] = None,
    sort: Annotated[
        NotebookOrder,
        typer.Option("--sort", help="Order: name, title, or modified (newest first)."),
    ] = NotebookOrder.NAME,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> NotebookList:
    """List notebooks; search, filter and sort them.

    Examples:

      peragus list --dir ~/notebooks

      peragus list --search report --language typescript --sort modified

      peragus list --modified-within 7 --output json
    """
    from peragus.notebooks.listing import select

    notebooks = store(folder)
    found = select(
        notebooks.infos(),
        search=search,
        language=language,
        modified_within_days=modified_within,
        order=sort,
    )
    return NotebookList(notebooks=found, folder=str(notebooks.root))


def _imported(result: NotebookResult) -> None:
    _say(f"Imported {result.notebook.title!r} as {result.notebook.name}")


@renders(_imported)
def import_notebook(
    specifier: Annotated[str, typer.Argument(help="A .src.md path or URL.")],
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> NotebookResult:
    """Import a srcbook `.src.md` file.

    Examples:

      peragus import getting-started.src.md

      peragus import https://example.com/notebook.src.md
    """
    notebooks = store(folder)
    return NotebookResult(notebook=notebooks.info(notebooks.import_source(specifier)))


def _exported(result: ExportedNotebook) -> None:
    if result.out is None:
        typer.echo(result.src_md, nl=False)  # the file's exact text, for a redirect
    else:
        _say(f"Wrote {result.out}")


@renders(_exported)
def export(
    name: str,
    out: Annotated[
        Path | None, typer.Option("--out", "-O", help="Write here (default: stdout).")
    ] = None,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> ExportedNotebook:
    """Export a notebook as one `.src.md` file.

    Examples:

      peragus export getting-started --out getting-started.src.md

      peragus export getting-started > getting-started.src.md
    """
    notebooks = store(folder)
    path = notebooks.folder(name)
    text = notebooks.export(name)
    if out is not None:
        from groundwork.state import atomic_write_text

        atomic_write_text(out, text)
    return ExportedNotebook(
        notebook=notebooks.info(path), src_md=text, out=None if out is None else str(out)
    )


def _deleted(result: DeletedNotebook) -> None:
    _say(f"Deleted {result.notebook.name} (moved to {result.moved_to}; move it back to undo)")


@renders(_deleted)
def delete(
    name: str, folder: DirOption = None, output: OutputOption = OutputFormat.TABLE
) -> DeletedNotebook:
    """Delete a notebook: its folder moves to the notebooks folder's .trash/, to undo by hand.

    Examples:

      peragus delete scratch
    """
    return store(folder).delete(name)
