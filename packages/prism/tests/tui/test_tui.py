"""The TUI as a user drives it, headless (Textual's pilot), against a real sandbox prismd on a
clock the test moves: live state, a launch followed to its end, stop by key, delete after
confirming, and the costs pane's figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, ProgressBar, Select, TabbedContent

from prism.cost.model import CostReport
from prism.daemon.client import DaemonClient
from prism.daemon.follow import follow_launch
from prism.tui.app import PrismApp
from prism.tui.confirm import Confirm
from prism.tui.launch import LaunchScreen
from prism.workstations.results import LaunchResult, WorkstationList

SIZE = (180, 50)
TICKS = 600
"""Pilot pauses to wait for prismd's answer at most (a bound on a hang, not a timing)."""


@pytest.fixture(scope="module")
def client(clocked_prismd: Any) -> DaemonClient:
    return DaemonClient(clocked_prismd.state)


def launch(client: DaemonClient, name: str) -> None:
    """A launch through prismd's API, followed to its end as the CLI does."""
    body = {"template": "ubuntu-server", "name": name, "wait": True}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, name, on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)


def app_for(client: DaemonClient) -> PrismApp:
    return PrismApp(client, poll_seconds=0.5)


async def until(pilot: Pilot[Any], seen: Callable[[], bool], what: str) -> None:
    for _ in range(TICKS):
        if seen():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never saw {what}")


def state_of(app: PrismApp, name: str) -> str | None:
    table = app.query_one("#workstations", DataTable)
    if name not in {row.value for row in table.rows}:
        return None
    return str(table.get_row(name)[1])


async def pick(pilot: Pilot[Any], screen: LaunchScreen, template: str) -> None:
    """The template chosen in the launch screen's picker, once prismd's list has come."""
    await until(pilot, lambda: template in screen.templates, f"{template} offered")
    screen.query_one("#template", Select).value = template
    screen.query_one("#name", Input).focus()


def select(app: PrismApp, name: str) -> None:
    table = app.query_one("#workstations", DataTable)
    table.move_cursor(row=table.get_row_index(name))


async def test_the_list_shows_a_workstation_and_its_state_changing(client: DaemonClient) -> None:
    launch(client, "seen")
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_of(app, "seen") == "running", "seen running")
        row = app.query_one("#workstations", DataTable).get_row("seen")
        assert row[2] == "Ubuntu Server"
        assert "after 60 min" in str(row[6])  # the default idle policy, with its status
        client.call("POST", "/api/v1/workstations/seen/stop", LaunchResult)
        await until(pilot, lambda: state_of(app, "seen") == "stopped", "seen stopped")


async def test_a_launch_from_the_tui_shows_its_progress_to_the_end(client: DaemonClient) -> None:
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LaunchScreen)
        await pick(pilot, screen, "ubuntu-server")
        await pilot.press(*"fresh", "enter")
        stage = screen.query_one("#stage", Label)
        await until(pilot, lambda: "Launched fresh" in str(stage.render()), "the launch end")
        assert str(stage.render()).startswith("Launched fresh: running")
        assert screen.query_one("#progress", ProgressBar).percentage == 1.0
        await pilot.press("escape")
        await until(pilot, lambda: state_of(app, "fresh") == "running", "fresh in the list")
    assert app.session.actions == ["launch fresh"]
    listed = client.call("GET", "/api/v1/workstations", WorkstationList)
    assert {ws.name: ws.state.value for ws in listed.workstations}["fresh"] == "running"


async def test_a_failed_launch_says_why_and_launches_nothing(client: DaemonClient) -> None:
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LaunchScreen)
        await pick(pilot, screen, "ubuntu-server")
        await pilot.press(*"ghost!", "enter")
        stage = screen.query_one("#stage", Label)
        await until(pilot, lambda: stage.has_class("error"), "the launch's error")
        assert "'ghost!' is not a valid workstation name" in str(stage.render())
    listed = client.call("GET", "/api/v1/workstations", WorkstationList)
    assert not {ws.name for ws in listed.workstations} & {"ghost!", "ghost"}
    assert app.session.actions == []


async def test_s_stops_and_t_starts_the_selected_workstation(client: DaemonClient) -> None:
    launch(client, "keyed")
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_of(app, "keyed") == "running", "keyed running")
        select(app, "keyed")
        await pilot.press("s")
        await until(pilot, lambda: state_of(app, "keyed") == "stopped", "keyed stopped")
        select(app, "keyed")
        await pilot.press("t")
        await until(pilot, lambda: state_of(app, "keyed") == "running", "keyed running again")
    assert app.session.actions == ["stop keyed", "start keyed"]


async def test_h_on_a_workstation_that_cannot_hibernate_stops_it_and_says_so(
    client: DaemonClient,
) -> None:
    launch(client, "sleepy")
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_of(app, "sleepy") == "running", "sleepy running")
        select(app, "sleepy")
        await pilot.press("h")
        await until(pilot, lambda: state_of(app, "sleepy") == "stopped", "sleepy stopped")
        assert "hibernat" in str(app.query_one("#message").render())
    assert app.session.actions == ["hibernate sleepy"]


async def test_delete_happens_only_after_confirming(client: DaemonClient) -> None:
    launch(client, "doomed")
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_of(app, "doomed") == "running", "doomed running")
        select(app, "doomed")
        await pilot.press("d")
        assert isinstance(app.screen, Confirm)
        assert "Delete doomed (Ubuntu Server" in app.screen.question
        await pilot.press("n")
        assert not isinstance(app.screen, Confirm)
        assert "you declined to delete doomed" in str(app.query_one("#message").render())
        select(app, "doomed")
        await pilot.press("d", "y")
        await until(pilot, lambda: state_of(app, "doomed") is None, "doomed gone from the list")
    assert app.session.actions == ["delete doomed"]
    listed = client.call("GET", "/api/v1/workstations", WorkstationList)
    assert "doomed" not in {ws.name for ws in listed.workstations}


async def test_the_costs_pane_shows_the_cost_routes_figures(
    client: DaemonClient, clocked_prismd: Any
) -> None:
    launch(client, "costly")
    clocked_prismd.clock.forward(hours=3)
    report = client.call("GET", "/api/v1/cost", CostReport)
    [line] = [c for c in report.costs if c.name == "costly" and c.kind == "workstation"]
    assert line.compute_usd > 0
    app = app_for(client)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert app.query_one("#tabs", TabbedContent).active == "costs-tab"
        table = app.query_one("#costs", DataTable)
        key = "workstation:costly"
        await until(pilot, lambda: key in {r.value for r in table.rows}, "costly's costs")
        row = table.get_row(key)
        assert row[3:] == [
            f"{line.hourly_usd:.4f}",
            f"{line.compute_usd:.2f}",
            f"{line.storage_usd:.2f}",
            f"{line.total_usd:.2f}",
        ]
        total = str(app.query_one("#cost-total", Label).render())
        assert total.startswith(f"Total so far: ${report.total_usd:.2f}")
