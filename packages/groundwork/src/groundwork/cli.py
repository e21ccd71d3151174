"""What every CLI of the suite shares: the entry point's catch-all, `--version`, `--debug`,
`--output json`, and a `doctor` command.

:func:`run` is the only place an exception reaches the user: a :class:`ToolError` is rendered
with its suggestions, a usage mistake gets click's message, Ctrl+C exits 130, and anything else
is logged with its traceback and shown as a short "internal error" that says where the log is.
"""

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from groundwork.errors import ExitCode, ToolError, internal_error, render_error
from groundwork.health import HealthRegistry, render_doctor
from groundwork.logs import log_to_file_on_first_use, redactor
from groundwork.paths import tool_log_file

__all__ = [
    "OutputFormat",
    "OutputOption",
    "add_doctor_command",
    "debug_enabled",
    "emit_json",
    "make_app",
    "run",
]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


OutputOption = Annotated[
    OutputFormat,
    typer.Option("--output", "-o", help="table for people, json for scripts.", show_default=True),
]


def _env_prefix(tool: str) -> str:
    return tool.upper().replace("-", "_")


def debug_enabled(tool: str) -> bool:
    return os.environ.get(f"{_env_prefix(tool)}_DEBUG", "") not in ("", "0", "false")


def emit_json(data: Any) -> None:
    """Print JSON for scripts: plain stdout, no colour codes, stable key order."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def make_app(tool: str, version: str, help_text: str) -> typer.Typer:
    """A Typer app with the suite's global options: ``--version`` and ``--debug``."""
    app = typer.Typer(
        name=tool,
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


def add_doctor_command(
    app: typer.Typer, tool: str, registry_factory: Callable[[], HealthRegistry]
) -> None:
    """Add `<tool> doctor`, which runs the tool's checks and exits 1 on any error."""

    @app.command("doctor", epilog=f"Examples:\n\n  {tool} doctor\n\n  {tool} doctor --output json")
    def doctor(output: OutputOption = OutputFormat.TABLE) -> None:
        """Check the set-up: each check says ok, info, warning or error, and how to fix it."""
        results = registry_factory().run()
        console = Console(soft_wrap=output is OutputFormat.JSON)
        code = render_doctor(results, output=str(output), console=console, title=f"{tool} doctor")
        raise typer.Exit(int(code))


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
    err = Console(stderr=True)
    code: int
    try:
        result = app(args=args, prog_name=tool, standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
    except ToolError as exc:
        render_error(exc, err, debug=debug_enabled(tool))
        code = exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        code = ExitCode.INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:
        # Typer's usage errors (unknown command, bad option value) print their own message and
        # carry click's exit codes: 2 for usage.
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            err.print(exc.format_message())
        code = exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the one catch-all the suite allows
        path = _log_internal_error(tool, exc, log_file)
        render_error(internal_error(tool, exc, str(path) if path else None), err)
        if debug_enabled(tool):
            err.print_exception()
        code = ExitCode.INTERNAL
    if code == ExitCode.INTERRUPTED:
        # Typer returns Ctrl+C as exit code 130 rather than raising, so it is reported here.
        err.print("[yellow]Interrupted.[/yellow]")
    sys.exit(int(code))


def _log_internal_error(tool: str, exc: Exception, path: Path) -> Path | None:
    """Append the traceback, with secrets redacted, to the tool's log; failing to is not fatal."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(exc))
    record = json.dumps(
        {"timestamp": stamp, "level": "error", "event": f"{tool} internal error", "exception": text}
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(redactor.redact_text(record) + "\n")
    except OSError:
        return None
    return path
