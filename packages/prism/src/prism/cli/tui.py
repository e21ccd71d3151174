"""`prism tui`: the terminal UI (Textual, in the optional extra ``prism[tui]``).

Textual is imported here alone, when the command runs: no other command pays for it.
"""

from __future__ import annotations

import typer

from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders
from prism.cli.service import daemon_client
from prism.tui.session import TuiSession

tui_app = typer.Typer(add_completion=False)


def _view(session: TuiSession) -> str:
    return f"prism tui: {len(session.actions)} actions taken."


@tui_app.command("tui")
@renders(_view)
def tui(output: OutputOption = OutputFormat.TABLE) -> TuiSession:
    """Watch and manage workstations in the terminal: live state and idle status, launch with a
    progress bar, stop, start, delete (after confirming), and costs.

    Keys: l launch, s stop, t start, h hibernate, u resume, d delete, r refresh,
    1 workstations, 2 costs, q quit.
    Closing a launch's window stops watching, not the launch. It draws on the terminal's
    error output, so with -o json the actions taken go to stdout when it closes.

    Examples:

      prism tui

      prism tui -o json > session.json
    """
    try:
        from prism.tui.app import run_tui
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("textual"):
            raise
        raise ToolError(
            "PRISM_TUI_NOT_INSTALLED",
            "The TUI needs Textual, which comes with the optional extra prism[tui].",
            suggestions=[
                "Install it: uv tool install 'prism[tui]' (or pip install 'prism[tui]')",
                "In this repository: make install (it installs every extra)",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    return run_tui(daemon_client())
