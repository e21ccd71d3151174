"""`peragus run`: a notebook's code cells in order, headless, stopping at the first failure."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from peragus.cli.notebooks import DirOption, store
from peragus.home import home
from peragus.results import CellOutcome, NotebookRun, RunResult


def _failed(result: RunResult) -> int:
    return ExitCode.OK if result.run.ok else ExitCode.FAILURE


def _summary(result: RunResult) -> None:
    """The cells' own output has streamed already; the verdict goes beside it, on stderr."""
    failed = next((c for c in result.run.cells if not c.ok), None)
    if failed is None:
        count = len(result.run.cells)
        typer.echo(f"✓ {count} cell{'' if count == 1 else 's'} ran", err=True)
        return
    if failed.error is not None:
        reason = failed.error
    elif failed.timed_out:
        reason = "timed out"
    else:
        reason = f"exited with code {failed.exit_code}"
    skipped = f"; not run: {', '.join(result.run.not_run)}" if result.run.not_run else ""
    typer.echo(f"✗ {failed.cell} {reason}{skipped}", err=True)


def _stream(stream: str, line: str) -> None:
    out = sys.stdout if stream == "stdout" else sys.stderr
    out.write(line)
    out.flush()


@renders(_summary, exit_code=_failed)
def run(
    notebook: Annotated[str, typer.Argument(help="A .src.md file, or the name of a notebook.")],
    cell: Annotated[str | None, typer.Option("--cell", help="Run only this cell.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per cell.", min=0.1)] = 300.0,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> RunResult:
    """Run a notebook's code cells in order, headless; exit 1 at the first failing cell.

    Each cell's output streams as it runs (in JSON mode it is in the result instead).

    Examples:

      peragus run analysis.src.md

      peragus run analysis.src.md --cell load-data.ts

      peragus run analysis --output json
    """
    from peragus.execution.runner import CellRun, CompileFailed, Limits
    from peragus.notebooks.folder import read_folder, read_notebook_text, write_folder
    from peragus.notebooks.srcmd import decode

    path = Path(notebook)
    # People watch the cells' output as it comes; in JSON mode it goes into the one document.
    streaming = output is OutputFormat.TABLE
    with tempfile.TemporaryDirectory(prefix="peragus-run-") as tmp:
        if path.is_file():
            work = Path(tmp) / "notebook"
            write_folder(decode(read_notebook_text(path), str(path)), work)
        else:
            work = store(folder).folder(notebook)
        code_cells = read_folder(work).code_cells()
        cells = [c for c in code_cells if cell is None or c.filename == cell]
        if cell and not cells:
            raise ToolError(
                "PERAGUS_CELL_NOT_FOUND",
                f"The notebook has no cell {cell!r}.",
                suggestions=["Cells: " + ", ".join(c.filename for c in code_cells)],
                exit_code=ExitCode.NOT_FOUND,
            )
        outcomes: list[CellOutcome] = []
        for code in cells:
            if streaming:
                typer.echo(f"▶ {code.filename}", err=True)
            limits = Limits(timeout_seconds=timeout)
            try:
                ran = CellRun(home(), work, code.filename, limits=limits).run(
                    _stream if streaming else None
                )
            except CompileFailed as exc:
                outcomes.append(
                    CellOutcome(
                        cell=code.filename,
                        ok=False,
                        exit_code=None,
                        duration_ms=0.0,
                        output="",
                        error=exc.message,
                    )
                )
                break
            outcomes.append(
                CellOutcome(
                    cell=code.filename,
                    ok=ran.ok,
                    exit_code=ran.exit_code,
                    timed_out=ran.timed_out,
                    truncated=ran.truncated,
                    duration_ms=round(ran.duration_ms, 1),
                    output="".join(text for _, text in ran.output),
                )
            )
            if not ran.ok:
                break
    ok = all(o.ok for o in outcomes)
    return RunResult(
        run=NotebookRun(
            notebook=notebook,
            ok=ok,
            cells=outcomes,
            not_run=[c.filename for c in cells[len(outcomes) :]],
        )
    )
