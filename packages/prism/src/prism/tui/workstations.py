"""The workstations pane: every workstation with its live state (pushed by prismd's event
stream, see :mod:`prism.tui.live`), idle status and costs (so far, and per hour now), polled from
prismd, and the keys that launch, stop, start and delete them."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable

from groundwork.errors import ToolError
from prism.tui.base import client_of, done, explain, say
from prism.tui.confirm import Confirm
from prism.tui.launch import LaunchScreen
from prism.workstations.model import WorkstationState

if TYPE_CHECKING:
    from prism.cost.model import CostLine
    from prism.idle.model import IdleStatus
    from prism.workstations.model import Workstation

__all__ = ["WorkstationsPane", "idle_text"]

COLUMNS = ("name", "state", "template", "size", "type", "project", "idle", "$/hour", "cost so far")


def idle_text(status: IdleStatus | None) -> str:
    """Where a workstation stands with its idle policy, in a cell."""
    if status is None or status.policy is None:
        return "no policy"
    policy = f"{status.policy.action} after {status.policy.idle_minutes} min"
    if status.idle_minutes is not None:
        return f"idle {status.idle_minutes:.0f} min ({policy})"
    return f"{status.signal} ({policy})"


class WorkstationsPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "launch", "Launch"),
        Binding("s", "act('stop')", "Stop"),
        Binding("t", "act('start')", "Start"),
        Binding("h", "act('hibernate')", "Hibernate"),
        Binding("u", "act('resume')", "Resume"),
        Binding("d", "delete", "Delete"),
        Binding("r", "poll", "Refresh"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: dict[str, Workstation] = {}
        self.fetching = False
        self.pushed: dict[str, Workstation] = {}
        """Changes pushed while a look was under way: newer than what that look brings back."""
        self.costs: dict[str, CostLine] = {}
        self.statuses: dict[str, IdleStatus] = {}

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="workstations", cursor_type="row")
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table

    def selected(self) -> Workstation | None:
        table = self.query_one("#workstations", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.shown.get(key or "")

    def action_poll(self) -> None:
        """Ask prismd again, unless a look is still under way: a slow EC2 never piles up
        requests (a refused one, past the rate limit, would only show an error)."""
        if not self.fetching:
            self.fetching = True
            self.pushed = {}
            self._fetch()

    @work(thread=True, group="workstations")
    def _fetch(self) -> None:
        """One look at prismd: the workstations (checked against EC2), their idle status and
        what each has cost (the figures `prism cost` shows)."""
        from prism.cost.model import CostReport
        from prism.idle.model import IdleStatusList
        from prism.workstations.results import WorkstationList

        client = client_of(self.app)
        try:
            listed = client.call("GET", "/api/v1/workstations", WorkstationList)
            idle = client.call("GET", "/api/v1/idle/status", IdleStatusList)
            report = client.call("GET", "/api/v1/cost", CostReport)
        except ToolError as exc:
            self.app.call_from_thread(self.unanswered, explain(exc))
            return
        statuses = {s.workstation: s for s in idle.statuses}
        costs = {c.name: c for c in report.costs if c.kind == "workstation" and not c.deleted}
        self.app.call_from_thread(self.show, listed.workstations, statuses, costs)

    def show(
        self,
        workstations: list[Workstation],
        statuses: dict[str, IdleStatus],
        costs: dict[str, CostLine],
    ) -> None:
        """A look's answer, with what was pushed while it was under way laid over it (the look
        may have been answered before those changes); both on the UI's thread, in order."""
        self.fetching = False
        table = self.query_one("#workstations", DataTable)
        chosen = self.selected()
        listed = {ws.name: ws for ws in workstations}
        for name, ws in self.pushed.items():
            if ws.state == WorkstationState.DELETED:
                listed.pop(name, None)
            else:
                listed[name] = ws
        self.shown, self.statuses, self.costs = listed, statuses, costs
        table.clear()
        for ws in listed.values():
            table.add_row(*self.cells(ws), key=ws.name)
        if chosen is not None and chosen.name in self.shown:
            table.move_cursor(row=table.get_row_index(chosen.name))

    def unanswered(self, text: str) -> None:
        self.fetching = False
        say(self.app, text, error=True)

    def cells(self, ws: Workstation) -> list[str]:
        cost = self.costs.get(ws.name)
        return [
            ws.name,
            ws.state.value,
            ws.template_name,
            ws.size or "",
            ws.instance_type,
            ws.project or "",
            idle_text(self.statuses.get(ws.name)),
            f"{cost.hourly_usd:.4f}" if cost else "",
            f"{cost.total_usd:.2f}" if cost else "",
        ]

    def changed(self, ws: Workstation) -> None:
        """A change prismd pushed: its row at once (a new one for a new workstation, none for
        a deleted one); costs and idle status follow with the next look."""
        if self.fetching:
            self.pushed[ws.name] = ws
        table = self.query_one("#workstations", DataTable)
        present = ws.name in self.shown
        if ws.state == WorkstationState.DELETED:
            self.shown.pop(ws.name, None)
            if present:
                table.remove_row(ws.name)
            return
        self.shown[ws.name] = ws
        if not present:
            table.add_row(*self.cells(ws), key=ws.name)
            return
        for column, value in zip(COLUMNS, self.cells(ws), strict=True):
            table.update_cell(ws.name, column, value)

    def action_launch(self) -> None:
        def closed(_name: str | None) -> None:
            self.action_poll()

        self.app.push_screen(LaunchScreen(), closed)

    def action_act(self, action: str) -> None:
        ws = self.selected()
        if ws is None:
            say(self.app, f"No workstation to {action}: launch one with l.", error=True)
            return
        say(self.app, f"{action} {ws.name}...")
        self._act(action, ws.name)

    @work(thread=True, group="actions")
    def _act(self, action: str, name: str) -> None:
        from prism.workstations.results import WorkstationResult

        client = client_of(self.app)
        path = f"/api/v1/workstations/{name}"
        try:
            if action == "delete":
                result = client.call("DELETE", path, WorkstationResult)
                from prism.cli.editors import forget_workstation  # its SSH entry goes with it

                forget_workstation(name)
            else:
                result = client.call("POST", f"{path}/{action}", WorkstationResult)
        except ToolError as exc:
            self.app.call_from_thread(say, self.app, explain(exc), error=True)
            return
        ws = result.workstation
        text = result.notice or f"{ws.name} is {ws.state.value}."
        self.app.call_from_thread(done, self.app, f"{action} {name}")
        self.app.call_from_thread(say, self.app, text)
        self.action_poll()

    def action_delete(self) -> None:
        ws = self.selected()
        if ws is None:
            say(self.app, "No workstation to delete.", error=True)
            return
        simulated = ", simulated" if ws.simulated else ""
        question = (
            f"Delete {ws.name} ({ws.template_name}, {ws.profile} / {ws.region}{simulated})"
            " and its root disk?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_act("delete")
            else:
                say(self.app, f"Nothing was deleted: you declined to delete {ws.name}.")

        self.app.push_screen(Confirm(question, "Delete"), answered)
