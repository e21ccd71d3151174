"""`ai-config doctor [--bundle FILE]`: the checks, and a diagnostics archive for a bug report.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import Field

from ai_config.home import home
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.health import CheckResult, Status
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

doctor_app = typer.Typer(add_completion=False)


class DoctorReport(Result):
    """groundwork's doctor document, with the bundle written beside it."""

    tool: str
    status: Status
    checks: list[CheckResult]
    bundle: str | None = Field(default=None, description="The diagnostics archive (--bundle)")


def _view(report: DoctorReport) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    from groundwork.health import doctor_table

    table = doctor_table(report.checks, title="ai-config doctor")
    if report.bundle is None:
        return table
    return Group(table, f"Diagnostics (no secrets) in {escape(report.bundle)}: attach it.")


def _failed(report: DoctorReport) -> int:
    return ExitCode.FAILURE if report.status is Status.ERROR else ExitCode.OK


@doctor_app.command("doctor")
@renders(_view, exit_code=_failed)
def doctor(
    bundle: Annotated[
        Path | None,
        typer.Option("--bundle", help="Also write a diagnostics archive (.tar.gz) for a report."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> DoctorReport:
    """Check the set-up: each check says ok, info, warning or error, and how to fix it.

    Checks git, library.lock, the repositories, an interrupted update, conflicts, symlinks,
    exports and their records, sync (conflict copies, a stale lock), performance against the
    targets, export folders and the secrets key. `ai-config repair` fixes what it safely can.

    Examples:

      ai-config doctor

      ai-config doctor --bundle ai-config-diagnostics.tar.gz
    """
    from ai_config.doctor import checks
    from groundwork.health import worst

    results = checks().run()
    report = DoctorReport(tool="ai-config", status=worst(results), checks=results)
    if bundle is None:
        return report
    from ai_config.maintenance.bundle import write_bundle

    target = bundle.expanduser().resolve()
    if target.is_dir():
        raise ToolError(
            "AI_CONFIG_BUNDLE_IS_A_FOLDER",
            f"{target} is a folder; --bundle names the archive file to write.",
            suggestions=[f"ai-config doctor --bundle {target / 'ai-config-diagnostics.tar.gz'}"],
            exit_code=ExitCode.USAGE,
        )
    try:
        write_bundle(home(), target, report.model_dump(mode="json"), _sync_document())
    except OSError as exc:
        from ai_config.oserrors import write_failed

        raise write_failed(
            exc,
            "write the diagnostics archive",
            target,
            "Name a file in a folder you can write to: ai-config doctor --bundle"
            " ~/ai-config-diagnostics.tar.gz",
        ) from None
    return report.model_copy(update={"bundle": str(target)})


def _sync_document() -> object:
    from ai_config.library.store import Library
    from ai_config.sync.status import sync_status

    lib = Library(home())
    return sync_status(lib).model_dump(mode="json") if lib.initialised else None
