"""`ai-config tui`: the terminal UI (Textual, in the optional extra ``ai-config[tui]``).

Textual is imported here alone, when the command runs: no other command pays for it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ai_config.home import home
from ai_config.results import Result
from ai_config.tui.session import TuiSession
from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders

tui_app = typer.Typer(add_completion=False)


class FirstPane(StrEnum):
    LIBRARY = "library"
    CONFLICTS = "conflicts"
    AGENTS = "agents"
    MCP = "mcp"
    UPDATE = "update"


class TuiResult(Result):
    session: TuiSession


def _view(result: TuiResult) -> str:
    count = len(result.session.changes)
    return f"ai-config tui: {count} changes made (ai-config logs shows them)."


@tui_app.command("tui")
@renders(_view)
def tui(
    pane: Annotated[FirstPane, typer.Option("--pane", help="The pane to open on.")] = (
        FirstPane.LIBRARY
    ),
    output: OutputOption = OutputFormat.TABLE,
) -> TuiResult:
    """Browse and change everything in the terminal: library, conflicts, agents, MCP, update.

    Keys: 1-5 switch panes, q quits; each pane lists its keys at the bottom. Every change goes
    through the same code as the commands (backed up, audited). It draws on the terminal's
    error output, so with -o json the session's changes go to stdout when it closes.

    Examples:

      ai-config tui

      ai-config tui --pane conflicts
    """
    try:
        from ai_config.tui.app import Pane, run_tui
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("textual"):
            raise
        raise ToolError(
            "AI_CONFIG_TUI_NOT_INSTALLED",
            "The TUI needs Textual, which comes with the optional extra ai-config[tui].",
            suggestions=[
                "Install it: uv tool install 'ai-config[tui]' (or pip install 'ai-config[tui]')",
                "In this repository: make install (it installs every extra)",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    return TuiResult(session=run_tui(home(), Pane(pane.value)))
