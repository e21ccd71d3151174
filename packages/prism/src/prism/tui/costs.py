"""The costs pane: what everything has cost so far and costs per hour, from prismd's cost
route (the figures `prism cost` shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from groundwork.errors import ToolError
from prism.tui.base import client_of, explain, say

if TYPE_CHECKING:
    from prism.cost.model import CostReport

__all__ = ["CostsPane"]

COLUMNS = ("name", "kind", "detail", "$/hour", "compute", "storage", "total")


class CostsPane(Vertical):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="costs", cursor_type="row")
        table.add_columns(*COLUMNS)
        yield table
        yield Label("", id="cost-total")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fetching = False

    def poll(self) -> None:
        """Ask prismd again, unless the last question is still unanswered."""
        if not self.fetching:
            self.fetching = True
            self._fetch()

    @work(thread=True, group="costs")
    def _fetch(self) -> None:
        from prism.cost.model import CostReport

        try:
            report = client_of(self.app).call("GET", "/api/v1/cost", CostReport)
        except ToolError as exc:
            self.app.call_from_thread(say, self.app, explain(exc), error=True)
            return
        finally:
            self.fetching = False
        self.app.call_from_thread(self.show, report)

    def show(self, report: CostReport) -> None:
        table = self.query_one("#costs", DataTable)
        table.clear()
        for c in report.costs:
            label = c.name + (" (simulated)" if c.simulated else "")
            label += " (deleted)" if c.deleted else ""
            table.add_row(
                label,
                c.kind,
                c.detail + (", spot price" if c.spot else ""),
                f"{c.hourly_usd:.4f}",
                f"{c.compute_usd:.2f}",
                f"{c.storage_usd:.2f}",
                f"{c.total_usd:.2f}",
                key=f"{c.kind}:{c.name}",
            )
        hourly = sum(c.hourly_usd for c in report.costs if not c.deleted)
        self.query_one("#cost-total", Label).update(
            f"Total so far: ${report.total_usd:.2f}; now ${hourly:.4f}/hour"
        )
