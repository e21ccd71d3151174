"""`peragus new|list|import|export|delete`: each returns its result; `@renders` shows it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders
from peragus.home import home
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
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> NotebookResult:
    """Create a notebook (a folder that is also an npm project).

    Examples:

      peragus new "Data cleaning" --language typescript
    """
    from peragus.notebooks.store import new_notebook

    notebooks = store(folder)
    return NotebookResult(notebook=notebooks.info(notebooks.save(new_notebook(title, language))))


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
    folder: DirOption = None, output: OutputOption = OutputFormat.TABLE
) -> NotebookList:
    """List notebooks.

    Examples:

      peragus list --dir ~/notebooks

      peragus list --output json
    """
    notebooks = store(folder)
    return NotebookList(notebooks=notebooks.infos(), folder=str(notebooks.root))


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
