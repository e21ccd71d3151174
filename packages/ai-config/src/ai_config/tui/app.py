"""The TUI's application: five panes in tabs, a message line, and the session's result (the
changes it made, from the audit log) when it closes."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from ai_config.safety import AuditEntry, AuditLog
from ai_config.tui.agents_pane import AgentsPane
from ai_config.tui.conflicts_pane import ConflictsPane
from ai_config.tui.library_pane import LibraryPane
from ai_config.tui.mcp_pane import McpPane
from ai_config.tui.session import TuiSession
from ai_config.tui.update_pane import UpdatePane
from groundwork.errors import ExitCode, ToolError

__all__ = ["AiConfigApp", "Pane", "run_tui"]


class Pane(StrEnum):
    LIBRARY = "library"
    CONFLICTS = "conflicts"
    AGENTS = "agents"
    MCP = "mcp"
    UPDATE = "update"


_CSS = """
#library-tree { width: 40%; }
#library-preview-box { width: 60%; }
#conflict-list { height: 8; }
#conflict-sides { height: 1fr; }
.side { width: 1fr; }
.side TextArea { height: 1fr; }
#merge-editor { height: 12; }
#agents-left { width: 40%; }
#agent-form { width: 60%; }
#targets { height: 7; }
#export-preview { height: 14; }
#mcp-list { height: 1fr; }
#mcp-paste { height: 6; }
#secret-row { height: 3; }
#secret-name { width: 30; padding: 1 1; }
#secret-value { width: 1fr; }
.buttons { height: 3; }
.heading { text-style: bold; }
.hidden { display: none; }
#message { height: 1; background: $boost; }
"""


_FOCUS = {
    Pane.LIBRARY: "#library-tree",
    Pane.CONFLICTS: "#conflict-list",
    Pane.AGENTS: "#agent-list",
    Pane.MCP: "#mcp-list",
    Pane.UPDATE: "#update-run",
}
"""What has the focus when a pane shows, so that its keys work at once."""


class AiConfigApp(App[TuiSession]):
    TITLE = "ai-config"
    CSS = _CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("escape", "leave_field", "Leave the field", show=False),
        *(
            Binding(str(n), f"show('{pane.value}')", pane.value.capitalize())
            for n, pane in enumerate(Pane, 1)
        ),
    ]

    def __init__(self, home: Path, first: Pane = Pane.LIBRARY) -> None:
        super().__init__()
        self.home = home
        self.first = first
        self.audit = AuditLog(home / "audit.log")
        self.started_at = len(self.audit.entries())

    def compose(self) -> ComposeResult:
        yield Header()
        panes = {
            Pane.LIBRARY: LibraryPane,
            Pane.CONFLICTS: ConflictsPane,
            Pane.AGENTS: AgentsPane,
            Pane.MCP: McpPane,
            Pane.UPDATE: UpdatePane,
        }
        with TabbedContent(initial=self.first.value, id="tabs"):
            for pane, widget in panes.items():
                with TabPane(pane.value.capitalize(), id=pane.value):
                    yield widget()
        yield Static("", id="message")
        yield Footer()

    def action_show(self, pane: str) -> None:
        """Show a pane with its keys in reach (its first widget focused)."""
        self.query_one("#tabs", TabbedContent).active = pane
        self.query_one(_FOCUS[Pane(pane)]).focus()

    def action_leave_field(self) -> None:
        """Out of a text field (where 1-5 and q are typed, not keys), back to the pane."""
        active = self.query_one("#tabs", TabbedContent).active
        self.query_one(_FOCUS[Pane(active)]).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A pane shown (by key or click) is fresh: another pane's change may show in it."""
        pane = event.pane.id
        if pane == Pane.CONFLICTS:
            self.query_one(ConflictsPane).action_refresh()
        elif pane == Pane.LIBRARY:
            self.query_one(LibraryPane).action_refresh()
        elif pane == Pane.AGENTS:
            self.query_one(AgentsPane).refresh_agents()

    def on_mount(self) -> None:
        self.query_one(_FOCUS[self.first]).focus()

    async def action_quit(self) -> None:
        self.exit(self.session())

    def session(self) -> TuiSession:
        changes: list[AuditEntry] = self.audit.entries()[self.started_at :]
        return TuiSession(changes=changes)


def run_tui(home: Path, first: Pane) -> TuiSession:
    """Run the TUI on this terminal; what it changed when it closes."""
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()):
        raise ToolError(
            "AI_CONFIG_TUI_NEEDS_TERMINAL",
            "ai-config tui draws on a terminal, and this one has none (its input or its"
            " error output is redirected).",
            suggestions=[
                "Run it in a terminal; stdout may be redirected: ai-config tui -o json > out.json",
                "For scripts, each pane has its command: library status, library resolve,"
                " agent export, mcp install, library update.",
            ],
            exit_code=ExitCode.USAGE,
        )
    app = AiConfigApp(home, first)
    return app.run() or app.session()
