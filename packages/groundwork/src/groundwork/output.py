"""One output contract for every CLI of the suite.

A command computes a typed result and says how people should see it; :func:`renders` does the
rest. With ``--output json`` the result is one JSON document on stdout, made from the same
pydantic models the services answer with, so a script reads a workstation the same way from
``prism info -o json`` and from ``GET /api/v1/workstations/NAME``. Errors follow the same rule:
:func:`groundwork.cli.run` prints them as RFC 9457 problem+json on stdout in JSON mode.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

__all__ = [
    "OutputFormat",
    "OutputOption",
    "ask",
    "confirm",
    "emit_json",
    "json_requested",
    "renders",
    "stderr_console",
    "stdout_console",
]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


OutputOption = Annotated[
    OutputFormat,
    typer.Option(
        "--output",
        "-o",
        help="table for people, json for scripts (errors then come as problem+json on stdout).",
        show_default=True,
    ),
]

P = ParamSpec("P")
R = TypeVar("R")

View = Callable[[R], "RenderableType | None"]


def emit_json(data: Any) -> None:
    """Print one JSON document for scripts: models by their aliases, no colour codes."""
    from pydantic_core import to_json

    sys.stdout.buffer.write(to_json(data, indent=2, by_alias=True, fallback=str) + b"\n")
    sys.stdout.flush()


_consoles: dict[bool, Console] = {}


def stdout_console() -> Console:
    """The console results are shown on; made on first use (Rich costs start-up time)."""
    return _console(stderr=False)


def stderr_console() -> Console:
    """Where progress, notices and questions go, so that stdout holds only the result."""
    return _console(stderr=True)


def _console(*, stderr: bool) -> Console:
    if stderr not in _consoles:
        from rich.console import Console

        _consoles[stderr] = Console(stderr=stderr)
    return _consoles[stderr]


def ask(question: str, default: str) -> str:
    """A question on stderr, the answer from stdin; no answer (or the end of input) is the
    default. Typer's prompts write part of the question to stdout, into a JSON document.
    """
    answer = _question(f"{question} [{default}]: ")
    return answer.strip() or default


def confirm(question: str, *, default: bool = False) -> bool:
    """A yes/no question on stderr; no answer (or the end of input) is the default."""
    answer = _question(f"{question} [{'Y/n' if default else 'y/N'}]: ").strip().lower()
    return default if not answer else answer in ("y", "yes")


def _question(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        sys.stderr.write("\n")  # no answer at all: end the question's line
    return answer


def renders(
    view: View[R], *, exit_code: Callable[[R], int] | None = None
) -> Callable[[Callable[P, R]], Callable[P, int]]:
    """Turn a command that returns its result into one that shows it.

    ``view`` makes what people see from the result (a table, a line; ``None`` when it printed
    for itself); ``exit_code`` derives the exit code from the result, for commands whose result
    can be a finding (a failed check, a stale export). The command must take an ``output``
    parameter (:data:`OutputOption`); its value picks JSON or the view.
    """

    def decorate(command: Callable[P, R]) -> Callable[P, int]:
        @functools.wraps(command)
        def shown(*args: P.args, **kwargs: P.kwargs) -> int:
            result = command(*args, **kwargs)
            if kwargs.get("output") == OutputFormat.JSON:
                emit_json(result)
            else:
                rendered = view(result)
                if rendered is not None:
                    stdout_console().print(rendered)
            return int(exit_code(result)) if exit_code is not None else 0

        # Typer evaluates every annotation of every command whenever it builds the command line,
        # for `--version` and `--help` too; left in, the result's type would load its models
        # (pydantic) on every start. mypy still sees it on the command.
        shown.__annotations__ = {k: v for k, v in command.__annotations__.items() if k != "return"}
        try:
            hints = typing.get_type_hints(shown, include_extras=True)  # the parameters' alone
        except NameError:  # not a command: names imported for type checking alone
            hints = {}
        parameters = [
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in inspect.signature(command).parameters.values()
        ]
        setattr(shown, "__signature__", inspect.Signature(parameters))  # noqa: B010
        return shown

    return decorate


def json_requested(args: Sequence[str]) -> bool:
    """Whether a command line asks for JSON: ``-o json``, ``--output json``, ``--output=json``,
    ``-ojson``. Read from the raw arguments so that an error raised while they are parsed is
    still answered in the format the caller asked for.
    """
    for index, arg in enumerate(args):
        if arg == "--":
            return False
        if arg in ("-o", "--output"):
            value = args[index + 1] if index + 1 < len(args) else ""
        elif arg.startswith("--output="):
            value = arg.removeprefix("--output=")
        elif arg.startswith("-o") and not arg.startswith("--"):
            value = arg.removeprefix("-o")
        else:
            continue
        if value.lower() == OutputFormat.JSON:
            return True
    return False
