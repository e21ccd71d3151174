"""The TUI's application: workstations and costs in tabs, kept live by prismd's event stream
(and by polling, for costs and idle status and as the stream's fallback), and a message line
saying what the last action did."""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from groundwork.errors import ExitCode, ToolError
from prism.daemon.client import DaemonClient
from prism.tui.costs import CostsPane
from prism.tui.live import follow_events
from prism.tui.session import TuiSession
from prism.tui.workstations import WorkstationsPane

__all__ = ["POLL_SECONDS", "PrismApp", "run_tui"]

POLL_SECONDS = 5.0
"""How often the panes ask prismd again (the list is checked against EC2 each time): state
changes are pushed as they happen, so this keeps costs and idle status current and catches up
whatever a dropped stream missed."""

_CSS = """
#message { height: 1; background: $boost; }
.error { color: $error; }
"""


class PrismApp(App[None]):
    TITLE = "prism"
    CSS = _CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("1", "show('workstations')", "Workstations"),
        Binding("2", "show('costs')", "Costs"),
    ]

    def __init__(self, client: DaemonClient, *, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__()
        self.client = client
        self.poll_seconds = poll_seconds
        self.session = TuiSession()

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="workstations-tab", id="tabs"):
            with TabPane("Workstations", id="workstations-tab"):
                yield WorkstationsPane(id="workstations-pane")
            with TabPane("Costs", id="costs-tab"):
                yield CostsPane(id="costs-pane")
        yield Static(
            "Keys: l launch, s stop, t start, h hibernate, u resume, d delete, 2 costs, q quit",
            id="message",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#workstations").focus()
        self.poll()
        self.set_interval(self.poll_seconds, self.poll)
        self.run_worker(follow_events(self), group="events", exclusive=True)

    def poll(self) -> None:
        self.query_one(WorkstationsPane).action_poll()
        self.query_one(CostsPane).poll()

    def action_show(self, pane: str) -> None:
        self.query_one("#tabs", TabbedContent).active = f"{pane}-tab"
        self.query_one(f"#{pane}").focus()


def run_tui(client: DaemonClient) -> TuiSession:
    """Run the TUI on this terminal until q; what was done in it."""
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()):
        raise ToolError(
            "PRISM_TUI_NEEDS_TERMINAL",
            "prism tui draws on a terminal (through its error output), and this one has none"
            " (its input or its error output is redirected).",
            suggestions=[
                "Run it in a terminal; stdout may be redirected: prism tui -o json > out.json",
                "For scripts, each view has its command: prism list, prism launch, prism cost,"
                " prism idle status.",
            ],
            exit_code=ExitCode.USAGE,
        )
    app = PrismApp(client)
    app.run()
    return app.session
