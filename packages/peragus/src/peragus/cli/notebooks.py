"""`peragus new|list|import|export|run`."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json
from peragus.home import home

if TYPE_CHECKING:
    from peragus.notebooks.store import NotebookStore

console = Console()
err = Console(stderr=True)
DirOption = Annotated[
    Path | None, typer.Option("--dir", help="Notebooks folder (default: PERAGUS_HOME/notebooks).")
]


def store(folder: Path | None) -> "NotebookStore":
    from peragus.notebooks.store import NotebookStore

    return NotebookStore(folder or home() / "notebooks")


def new(
    title: str,
    language: Annotated[
        str, typer.Option("--language", help="typescript or javascript.")
    ] = "typescript",
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Create a notebook (a folder that is also an npm project).

    Examples:

      peragus new "Data cleaning" --language typescript
    """
    from peragus.notebooks.store import new_notebook

    if language not in ("typescript", "javascript"):
        raise ToolError(
            "PERAGUS_LANGUAGE_INVALID",
            f"{language!r} is not typescript or javascript.",
            suggestions=["--language typescript"],
            exit_code=ExitCode.USAGE,
        )
    path = store(folder).save(new_notebook(title, language))
    emit_json(
        {"name": path.name, "folder": str(path)}
    ) if output is OutputFormat.JSON else console.print(f"Created {path}")


def list_notebooks(folder: DirOption = None, output: OutputOption = OutputFormat.TABLE) -> None:
    """List notebooks.

    Examples:

      peragus list --dir ~/notebooks
    """
    from peragus.notebooks.folder import read_folder

    found = []
    for path in store(folder).list():
        try:
            notebook = read_folder(path)
            found.append(
                {
                    "name": path.name,
                    "title": notebook.title,
                    "language": notebook.language,
                    "cells": len(notebook.cells),
                }
            )
        except ToolError as exc:
            found.append(
                {"name": path.name, "title": "?", "language": "?", "cells": 0, "error": exc.message}
            )
    if output is OutputFormat.JSON:
        emit_json(found)
        return
    for item in found:
        console.print(
            f"{item['name']}  {item['title']}  [dim]{item['language']}, {item['cells']} cells[/dim]"
        )


def import_notebook(
    specifier: Annotated[str, typer.Argument(help="A .src.md path or URL.")],
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Import a srcbook `.src.md` file.

    Examples:

      peragus import getting-started.src.md
    """
    path = store(folder).import_source(specifier)
    emit_json(
        {"name": path.name, "folder": str(path)}
    ) if output is OutputFormat.JSON else console.print(f"Imported as {path.name}")


def export(
    name: str,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write here (default: stdout).")
    ] = None,
    folder: DirOption = None,
) -> None:
    """Export a notebook as one `.src.md` file.

    Examples:

      peragus export getting-started -o getting-started.src.md
    """
    text = store(folder).export(name)
    if out is None:
        typer.echo(text, nl=False)
        return
    from groundwork.state import atomic_write_text

    atomic_write_text(out, text)
    err.print(f"Wrote {out}")


def delete(name: str, folder: DirOption = None, output: OutputOption = OutputFormat.TABLE) -> None:
    """Delete a notebook: its folder moves to the notebooks folder's .trash/, to undo by hand.

    Examples:

      peragus delete scratch
    """
    trash = store(folder).delete(name)
    if output is OutputFormat.JSON:
        emit_json({"name": name, "moved_to": str(trash)})
    else:
        console.print(f"Deleted {name} (moved to {trash}; move it back to undo)")


def run(
    notebook: Annotated[str, typer.Argument(help="A .src.md file, or the name of a notebook.")],
    cell: Annotated[str | None, typer.Option("--cell", help="Run only this cell.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per cell.")] = 300.0,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Run a notebook's code cells in order, headless; exit 1 at the first failing cell.

    Examples:

      peragus run analysis.src.md

      peragus run analysis.src.md --cell load-data.ts
    """
    import tempfile

    from peragus.execution.runner import CellRun, Limits
    from peragus.notebooks.folder import read_folder, read_notebook_text, write_folder
    from peragus.notebooks.srcmd import decode

    path = Path(notebook)
    with tempfile.TemporaryDirectory(prefix="peragus-run-") as tmp:
        if path.is_file():
            work = Path(tmp) / "notebook"
            write_folder(decode(read_notebook_text(path), str(path)), work)
        else:
            work = store(folder).folder(notebook)
        nb = read_folder(work)
        cells = [c for c in nb.code_cells() if cell is None or c.filename == cell]
        if cell and not cells:
            raise ToolError(
                "PERAGUS_CELL_NOT_FOUND",
                f"The notebook has no cell {cell!r}.",
                suggestions=["Cells: " + ", ".join(c.filename for c in nb.code_cells())],
                exit_code=ExitCode.NOT_FOUND,
            )
        results = []
        for code in cells:
            if output is not OutputFormat.JSON:
                err.print(f"[bold]▶ {code.filename}[/bold]")
            stream = (
                None
                if output is OutputFormat.JSON
                else (
                    lambda kind, line: (console if kind == "stdout" else err).out(
                        line, end="", highlight=False
                    )
                )
            )
            result = CellRun(
                home(), work, code.filename, limits=Limits(timeout_seconds=timeout)
            ).run(stream)
            results.append(
                {
                    "cell": code.filename,
                    "exit_code": result.exit_code,
                    "ok": result.ok,
                    "timed_out": result.timed_out,
                    "duration_ms": round(result.duration_ms, 1),
                    "output": "".join(text for _, text in result.output),
                }
            )
            if not result.ok:
                break
    if output is OutputFormat.JSON:
        emit_json(results)
    failed = next((r for r in results if not r["ok"]), None)
    if failed:
        reason = "timed out" if failed["timed_out"] else f"exited with code {failed['exit_code']}"
        if output is not OutputFormat.JSON:
            err.print(f"[red]{failed['cell']} {reason}[/red]")
        raise typer.Exit(int(ExitCode.FAILURE))
