"""Agent names as users type them: one safe file name, never a path."""

from __future__ import annotations

import re

from groundwork.errors import ExitCode, ToolError

__all__ = ["AGENT_NAME", "agent_name"]

AGENT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_PATTERN = re.compile(AGENT_NAME)


def agent_name(raw: str, *, where: str | None = None) -> str:
    """``raw`` if it names an agent; ``../../x`` or ``a/b`` are usage errors, not crashes."""
    if not _PATTERN.match(raw):
        raise ToolError(
            "AI_CONFIG_AGENT_NAME_INVALID",
            f"{raw!r}{f' (in {where})' if where else ''} is not a valid agent name: it becomes"
            " a file name in every tool, so it cannot hold '/', '..' or spaces.",
            suggestions=[
                "Use letters, digits, '-' and '_', starting with a letter or digit"
                " (at most 64), like code-reviewer."
            ],
            context={"name": raw},
            exit_code=ExitCode.USAGE,
        )
    return raw
