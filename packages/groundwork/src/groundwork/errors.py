"""Errors that tell the user what went wrong, why, and what to do next.

Every tool raises :class:`ToolError` (or a subclass) for anything a user can act on. The same
error renders as a Rich panel in a terminal, as RFC 9457 problem+json over HTTP, and maps to an
exit code, so a failure reads the same whichever way the user reached it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import IntEnum
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "ExitCode",
    "ToolError",
    "internal_error",
    "render_error",
    "to_problem",
]

_CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


class ExitCode(IntEnum):
    """Exit codes shared by every CLI, so scripts can branch on the kind of failure."""

    OK = 0
    FAILURE = 1
    """The command ran and found a problem (a failed check, a stale export, a failed cell)."""
    USAGE = 2
    """Bad arguments or input: fix the command line or the file."""
    NOT_FOUND = 3
    CONFLICT = 4
    """The thing exists already, or is in a state that forbids the operation."""
    PERMISSION = 5
    UNAVAILABLE = 6
    """A service, daemon or remote could not be reached; trying again later may work."""
    TIMEOUT = 7
    INTERNAL = 70
    """A bug: the message says where the log with the traceback is."""
    INTERRUPTED = 130


_HTTP_STATUS_FOR_EXIT: dict[ExitCode, int] = {
    ExitCode.FAILURE: 422,
    ExitCode.USAGE: 400,
    ExitCode.NOT_FOUND: 404,
    ExitCode.CONFLICT: 409,
    ExitCode.PERMISSION: 403,
    ExitCode.UNAVAILABLE: 503,
    ExitCode.TIMEOUT: 504,
    ExitCode.INTERNAL: 500,
}


class ToolError(Exception):
    """An error a user can act on.

    ``code`` is stable (``PRISM_AWS_PERMISSION_DENIED``) so scripts and docs can refer to it;
    ``suggestions`` must hold at least one thing the user can do next, because an error without
    a way forward is the complaint this type exists to answer.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        suggestions: Sequence[str],
        context: Mapping[str, Any] | None = None,
        help_url: str | None = None,
        exit_code: ExitCode = ExitCode.FAILURE,
        http_status: int | None = None,
        transient: bool = False,
    ) -> None:
        if not _CODE_PATTERN.match(code):
            raise ValueError(f"error code {code!r} must be UPPER_SNAKE_CASE with a tool prefix")
        if not suggestions:
            raise ValueError(f"error {code} needs at least one suggestion")
        super().__init__(message)
        self.code = code
        self.message = message
        self.suggestions = list(suggestions)
        self.context = dict(context or {})
        self.help_url = help_url
        self.exit_code = exit_code
        self.http_status = http_status or _HTTP_STATUS_FOR_EXIT.get(exit_code, 500)
        self.transient = transient

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"

    @classmethod
    def from_problem(cls, problem: Mapping[str, Any]) -> ToolError:
        """Rebuild an error a service sent as problem+json, so a CLI shows it as raised here."""
        status = int(problem.get("status", 500))
        exit_code = next(
            (code for code, http in _HTTP_STATUS_FOR_EXIT.items() if http == status),
            ExitCode.FAILURE,
        )
        code = str(problem.get("code") or "SERVICE_ERROR")
        if not _CODE_PATTERN.match(code):
            code = "SERVICE_ERROR"
        return cls(
            code,
            str(problem.get("detail") or problem.get("title") or "the service reported an error"),
            suggestions=list(problem.get("suggestions") or ["Check the service log for details."]),
            context=dict(problem.get("context") or {}),
            help_url=problem.get("type") if problem.get("type") != "about:blank" else None,
            exit_code=exit_code,
            http_status=status,
            transient=bool(problem.get("transient", False)),
        )


def internal_error(tool: str, exc: BaseException, log_path: str | None) -> ToolError:
    """Wrap a bug so the user sees a calm message and where the traceback went."""
    where = f"The traceback is in {log_path}." if log_path else "Run again with --debug."
    return ToolError(
        f"{tool.upper().replace('-', '_')}_INTERNAL_ERROR",
        f"{tool} hit an unexpected error: {type(exc).__name__}: {exc}",
        suggestions=[
            where,
            f"Run the command again with --debug to see the traceback, "
            f"and report it with `{tool} doctor --output json` attached.",
        ],
        exit_code=ExitCode.INTERNAL,
    )


def render_error(error: ToolError, console: Console, *, debug: bool = False) -> None:
    """Print an error as a panel: what happened, the facts behind it, and what to try."""
    # Rich is loaded here, not at import: commands that succeed, or answer in JSON, never pay.
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(error.message, style="bold")]
    if error.context:
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim")
        facts.add_column()
        for key, value in error.context.items():
            facts.add_row(escape(str(key)), escape(str(value)))
        parts += [Text(), facts]
    parts.append(Text())
    parts.append(Text("Try:", style="bold cyan"))
    bullets = Table.grid(padding=(0, 1))
    bullets.add_column(width=3, justify="right")
    bullets.add_column(style="cyan")
    for suggestion in error.suggestions:
        bullets.add_row("•", escape(suggestion))
    parts.append(bullets)
    if error.help_url:
        parts += [Text(), Text.assemble("More: ", (error.help_url, "underline"))]
    console.print(
        Panel(Group(*parts), title=f"[red]Error[/red] {error.code}", title_align="left"),
    )
    if debug and error.__traceback__ is not None:
        from rich.traceback import Traceback  # only with --debug: it costs 80 ms to import

        console.print(Traceback.from_exception(type(error), error, error.__traceback__))


def to_problem(
    error: ToolError, *, instance: str | None = None, request_id: str | None = None
) -> dict[str, Any]:
    """The RFC 9457 problem+json body for an error, with our fields as extension members."""
    body: dict[str, Any] = {
        "type": error.help_url or "about:blank",
        "title": _title(error.http_status),
        "status": error.http_status,
        "detail": error.message,
        "code": error.code,
        "suggestions": error.suggestions,
    }
    if error.context:
        body["context"] = {k: _jsonable(v) for k, v in error.context.items()}
    if error.transient:
        body["transient"] = True
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    return body


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
