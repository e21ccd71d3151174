"""Problems found in a template: file, line, field, what is wrong, how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from groundwork.errors import ExitCode, ToolError

__all__ = ["Issue", "TemplateInvalid"]


@dataclass(frozen=True)
class Issue:
    path: str
    line: int | None
    field: str
    problem: str
    fix: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.problem}"


class TemplateInvalid(ToolError):
    """A template that cannot be used; ``issues`` lists every error found, not just the first."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        first = issues[0]
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(
            "PRISM_TEMPLATE_INVALID",
            f"{first}{more}",
            suggestions=[first.fix, f"Check it all with: prism templates validate {first.path}"],
            context={"issues": [str(i) for i in issues]},
            exit_code=ExitCode.USAGE,
        )
        self.issues = list(issues)
