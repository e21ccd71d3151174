"""`peragus run`: a notebook's code cells in order, headless, stopping at the first failure."""

from __future__ import annotations

import sys
import tempfile
import time
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


def _notice(message: str) -> None:
    """What happens before a cell runs (npm, a first toolchain install): on stderr, always, so
    JSON mode's stdout stays one document.
    """
    typer.echo(f"… {message}", err=True)


def _npm_output(_stream: str, line: str) -> None:
    sys.stderr.write(line)
    sys.stderr.flush()


def _install_dependencies(work: Path, sources: list[str], *, allowed: bool) -> list[str]:
    """`npm install` when package.json names packages node_modules lacks, npm's output streamed
    to stderr; imports that package.json does not name are an error that says which.
    """
    from peragus.execution.dependencies import (
        declared,
        imported_packages,
        install,
        not_installed,
    )

    wanted = not_installed(work)
    if wanted and not allowed:
        raise ToolError(
            "PERAGUS_DEPENDENCIES_MISSING",
            f"The notebook needs {', '.join(wanted)}, not installed in {work}.",
            suggestions=[
                "Run it without --no-install to install them first,"
                f" or run `npm install` in {work}."
            ],
            exit_code=ExitCode.UNAVAILABLE,
        )
    if wanted:
        _notice(f"npm install ({', '.join(wanted)})")
        started = time.monotonic()
        code = install(work, [], _npm_output)
        if code != 0:
            raise ToolError(
                "PERAGUS_INSTALL_FAILED",
                f"npm install failed (exit {code}) in {work}; its output is above.",
                suggestions=["Fix package.json or the network, then run again."],
                exit_code=ExitCode.UNAVAILABLE,
            )
        _notice(f"installed in {time.monotonic() - started:.1f} s")
    undeclared = sorted(set().union(*map(imported_packages, sources)) - declared(work))
    if undeclared:
        raise ToolError(
            "PERAGUS_DEPENDENCIES_UNDECLARED",
            f"The cells import {', '.join(undeclared)}, which package.json does not list.",
            suggestions=[
                "Add them to package.json's dependencies (the notebook's package.json cell"
                " offers to), then run again."
            ],
            exit_code=ExitCode.FAILURE,
        )
    return wanted


@renders(_summary, exit_code=_failed)
def run(
    notebook: Annotated[str, typer.Argument(help="A .src.md file, or the name of a notebook.")],
    cell: Annotated[str | None, typer.Option("--cell", help="Run only this cell.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per cell.", min=0.1)] = 300.0,
    no_install: Annotated[
        bool,
        typer.Option(
            "--no-install", help="Fail instead of running `npm install` for missing packages."
        ),
    ] = False,
    folder: DirOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> RunResult:
    """Run a notebook's code cells in order, headless; exit 1 at the first failing cell.

    Packages package.json lists that are not installed are installed first with npm, its
    output on stderr (--no-install refuses instead). Each cell's output streams as it runs (in
    JSON mode it is in the result instead). Cells that are not JavaScript or TypeScript (.sh,
    .json) are kept in the notebook but not run.

    Examples:

      peragus run analysis.src.md

      peragus run analysis.src.md --no-install

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
        if cell is None:
            cells = [c for c in code_cells if c.runnable]
        else:
            cells = [c for c in code_cells if c.filename == cell]
            if not cells:
                raise ToolError(
                    "PERAGUS_CELL_NOT_FOUND",
                    f"The notebook has no cell {cell!r}.",
                    suggestions=["Cells: " + ", ".join(c.filename for c in code_cells)],
                    exit_code=ExitCode.NOT_FOUND,
                )
            CellRun(home(), work, cell).check_runnable()
        installed = _install_dependencies(work, [c.source for c in cells], allowed=not no_install)
        outcomes: list[CellOutcome] = []
        for code in cells:
            if streaming:
                typer.echo(f"▶ {code.filename}", err=True)
            limits = Limits(timeout_seconds=timeout)
            try:
                ran = CellRun(home(), work, code.filename, limits=limits).run(
                    _stream if streaming else None, _notice
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
            installed=installed,
        )
    )
