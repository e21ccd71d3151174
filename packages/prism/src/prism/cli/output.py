"""How prism's commands show their results: groundwork's output contract, kept off start-up.

typer evaluates every annotation of every command whenever it builds the command line, for
``--version`` and ``--help`` too. The commands' results are pydantic models, and importing them
there would load pydantic on every start. :func:`shows` is groundwork's ``renders`` with the
result's type left out of what typer sees: mypy still checks it, and the models load only when
a command runs.
"""

import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from groundwork.output import renders

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

__all__ = ["ask", "confirm", "err_console", "shows"]

P = ParamSpec("P")
R = TypeVar("R")

_err: "Console | None" = None


def shows(
    view: Callable[[R], "RenderableType | None"], *, exit_code: Callable[[R], int] | None = None
) -> Callable[[Callable[P, R]], Callable[P, int]]:
    def decorate(command: Callable[P, R]) -> Callable[P, int]:
        shown = renders(view, exit_code=exit_code)(command)
        parameters = inspect.signature(command).replace(return_annotation=inspect.Signature.empty)
        setattr(shown, "__signature__", parameters)  # noqa: B010 - a function has no such slot
        shown.__annotations__ = {k: v for k, v in command.__annotations__.items() if k != "return"}
        return shown

    return decorate


def err_console() -> "Console":
    """Where notices, prompts and progress go: stderr, so stdout holds only the result."""
    global _err
    if _err is None:
        from rich.console import Console

        _err = Console(stderr=True)
    return _err


def ask(question: str, default: str) -> str:
    """A question on stderr, the answer from stdin (typer's prompts echo a character of the
    question to stdout, which would break a JSON document there).
    """
    err_console().print(f"{question} [{default}]: ", end="", markup=False, highlight=False)
    return sys.stdin.readline().strip() or default


def confirm(question: str, *, default: bool = False) -> bool:
    """A yes/no question on stderr; the end of input counts as the default."""
    hint = "Y/n" if default else "y/N"
    err_console().print(f"{question} [{hint}]: ", end="", markup=False, highlight=False)
    answer = sys.stdin.readline().strip().lower()
    return default if not answer else answer in ("y", "yes")
