"""What every CLI of the suite shares: the entry point's catch-all, `--version`, `--debug`,
and a `doctor` command.

:func:`run` is the only place an exception reaches the user: a :class:`ToolError` is rendered
with its suggestions, a usage mistake gets click's message, Ctrl+C exits 130, and anything else
is logged with its traceback and shown as a short "internal error" that says where the log is.
When the command line asks for ``--output json``, each of these is a problem+json document on
stdout instead, with the same code, message, suggestions and exit code.
"""

# No `from __future__ import annotations` here: Typer reads the global options' annotations,
# which name a local callback.
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from groundwork.errors import ExitCode, ToolError, internal_error, render_error, to_problem
from groundwork.health import CheckResult, HealthRegistry, Status, doctor_table, worst
from groundwork.lazycommands import lazy_group
from groundwork.logs import log_to_file_on_first_use, open_private_log, redactor
from groundwork.output import (
    OutputFormat,
    OutputOption,
    emit_json,
    json_requested,
    renders,
    stderr_console,
)
from groundwork.paths import tool_log_file

__all__ = [
    "DoctorReport",
    "add_doctor_command",
    "debug_enabled",
    "make_app",
    "run",
]


def _env_prefix(tool: str) -> str:
    return tool.upper().replace("-", "_")


def debug_enabled(tool: str) -> bool:
    return os.environ.get(f"{_env_prefix(tool)}_DEBUG", "") not in ("", "0", "false")


def make_app(
    tool: str, version: str, help_text: str, *, lazy_commands: Mapping[str, str] | None = None
) -> typer.Typer:
    """A Typer app with the suite's global options: ``--version`` and ``--debug``.

    ``lazy_commands`` maps command names to the module (``pkg.mod`` or ``pkg.mod:attr``, the
    attribute a Typer app, ``app`` by default) that implements each: a module is imported only
    when its command runs, so start-up pays for one command, not all of them.
    """
    app = typer.Typer(
        name=tool,
        cls=lazy_group(lazy_commands) if lazy_commands else None,
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def show_version(value: bool) -> None:
        if value:
            typer.echo(f"{tool} {version}")
            raise typer.Exit()

    @app.callback()
    def _global_options(
        _version: Annotated[
            bool,
            typer.Option(
                "--version",
                callback=show_version,
                is_eager=True,
                help="Print the version and exit.",
            ),
        ] = False,
        debug: Annotated[
            bool, typer.Option("--debug", help="Show tracebacks and debug logs.")
        ] = False,
    ) -> None:
        if debug:
            os.environ[f"{_env_prefix(tool)}_DEBUG"] = "1"

    return app


@dataclass(frozen=True)
class DoctorReport:
    """What `<tool> doctor -o json` prints: the worst status and every check's result."""

    tool: str
    status: Status
    checks: list[CheckResult]


def add_doctor_command(
    app: typer.Typer, tool: str, registry_factory: Callable[[], HealthRegistry]
) -> None:
    """Add `<tool> doctor`, which runs the tool's checks and exits 1 on any error."""

    def failed(report: DoctorReport) -> int:
        return ExitCode.FAILURE if report.status is Status.ERROR else ExitCode.OK

    @app.command("doctor", epilog=f"Examples:\n\n  {tool} doctor\n\n  {tool} doctor --output json")
    @renders(lambda report: doctor_table(report.checks, title=f"{tool} doctor"), exit_code=failed)
    def doctor(output: OutputOption = OutputFormat.TABLE) -> DoctorReport:
        """Check the set-up: each check says ok, info, warning or error, and how to fix it."""
        results = registry_factory().run()
        return DoctorReport(tool=tool, status=worst(results), checks=results)


def run(
    app: typer.Typer,
    *,
    tool: str,
    argv: Sequence[str] | None = None,
    home_env: str | None = None,
) -> NoReturn:
    """Run a CLI app and turn every outcome into a message and a meaningful exit code.

    ``home_env`` names the variable that moves the tool's folder; the log moves with it.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    log_file = tool_log_file(tool, home_env)
    log_to_file_on_first_use(log_file)
    if "--debug" in args:
        os.environ[f"{_env_prefix(tool)}_DEBUG"] = "1"
    as_json = json_requested(args)
    error: ToolError | None = None
    code: int
    try:
        result = app(args=args, prog_name=tool, standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
    except ToolError as exc:
        error = exc
    except (KeyboardInterrupt, typer.Abort):
        code = ExitCode.INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:
        # Typer's usage errors (unknown command, bad option value) carry click's exit codes.
        if as_json:
            error = _usage_error(tool, exc)
        else:
            show = getattr(exc, "show", None)
            if callable(show):
                show(file=sys.stderr)
            else:
                stderr_console().print(exc.format_message())
            code = exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the one catch-all the suite allows
        path = _log_internal_error(tool, exc, log_file)
        error = internal_error(tool, exc, str(path) if path else None)
        if debug_enabled(tool):
            stderr_console().print_exception()
    if error is None and code == ExitCode.INTERRUPTED:
        # Typer returns Ctrl+C as exit code 130 rather than raising, so it is reported here.
        error = ToolError(
            f"{_env_prefix(tool)}_INTERRUPTED",
            "Interrupted.",
            suggestions=["Run the command again when you are ready."],
            exit_code=ExitCode.INTERRUPTED,
        )
    if error is not None:
        if as_json:
            emit_json(problem_document(error))
        elif error.exit_code == ExitCode.INTERRUPTED:
            stderr_console().print("[yellow]Interrupted.[/yellow]")
        else:
            render_error(error, stderr_console(), debug=debug_enabled(tool))
        code = error.exit_code
    sys.exit(int(code))


def problem_document(error: ToolError) -> dict[str, object]:
    """The problem+json a CLI prints in JSON mode: the HTTP shape plus the exit code."""
    return {**to_problem(error), "exit_code": int(error.exit_code)}


def _usage_error(tool: str, exc: typer.TyperException) -> ToolError:
    context = getattr(exc, "ctx", None)
    where = context.command_path if context is not None else tool
    return ToolError(
        f"{_env_prefix(tool)}_USAGE",
        exc.format_message(),
        suggestions=[f"See what it accepts: {where} --help"],
        exit_code=ExitCode.USAGE,
    )


def _log_internal_error(tool: str, exc: Exception, path: Path) -> Path | None:
    """Append the traceback, with secrets redacted, to the tool's log; failing to is not fatal."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(exc))
    record = json.dumps(
        {"timestamp": stamp, "level": "error", "event": f"{tool} internal error", "exception": text}
    )
    try:
        with open_private_log(path) as log:
            log.write(redactor.redact_text(record) + "\n")
    except OSError:
        return None
    return path
