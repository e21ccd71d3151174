"""The TUI as a user drives it, headless (Textual's pilot), against a real sandbox prismd on a
clock the test moves: live state, a launch followed to its end, stop by key, delete after
confirming, the costs pane's figures; a template picked with its parameters (and a size and
architecture) launches as chosen; each workstation's row shows the cost route's figures; a
change made through the API appears through prismd's event stream while the poll interval is an
hour, so only the push can have brought it."""

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
from prism.workstations.results import LaunchResult, WorkstationList, WorkstationResult

SIZE = (200, 60)
TICKS = 2400
"""Pilot pauses to wait for prismd's answer at most (a bound on a hang, not a timing)."""
NEVER = 3600.0
"""A poll interval no test lasts: what shows up after the first look was pushed."""


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


def row_of(app: PrismApp, name: str) -> list[str] | None:
    table = app.query_one("#workstations", DataTable)
    if name not in {row.value for row in table.rows}:
        return None
    return [str(cell) for cell in table.get_row(name)]


def state_of(app: PrismApp, name: str) -> str | None:
    row = row_of(app, name)
    return row[1] if row else None


async def launch_screen(app: PrismApp, pilot: Pilot[Any]) -> LaunchScreen:
    """The launch screen, opened by its key."""
    await pilot.press("l")
    screen = app.screen
    assert isinstance(screen, LaunchScreen)
    return screen


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
        screen = await launch_screen(app, pilot)
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
        screen = await launch_screen(app, pilot)
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


async def test_the_launch_form_offers_the_templates_parameters(client: DaemonClient) -> None:
    app = PrismApp(client, poll_seconds=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await launch_screen(app, pilot)
        picker = screen.query_one("#template", Select)
        await until(pilot, lambda: "python-ml-workstation" in screen.templates, "the templates")
        assert {"ubuntu-server", "rstudio-server", "gpu-deep-learning"} <= set(screen.templates)
        picker.value = "python-ml-workstation"
        await until(pilot, lambda: bool(screen.query("#param-python_version")), "its parameter")
        version = screen.query_one("#param-python_version", Select)
        assert version.value == "3.11"  # the template's default, chosen already
        version.value = "3.12"
        screen.query_one("#size", Select).value = "L"
        screen.query_one("#arch", Select).value = "arm64"
        screen.query_one("#name", Input).focus()
        await pilot.press(*"picked", "enter")
        stage = screen.query_one("#stage", Label)
        await until(pilot, lambda: "Launched picked" in str(stage.render()), "the launch end")
        assert "(t4g.large, arm64)" in str(stage.render())
    ws = client.call("GET", "/api/v1/workstations/picked", WorkstationResult).workstation
    assert ws.params == {"python_version": "3.12"}
    assert (ws.template, ws.size, ws.instance_type, ws.architecture) == (
        "python-ml-workstation",
        "L",
        "t4g.large",
        "arm64",
    )


async def test_a_template_without_parameters_says_so(client: DaemonClient) -> None:
    app = PrismApp(client, poll_seconds=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await launch_screen(app, pilot)
        await until(pilot, lambda: "ubuntu-server" in screen.templates, "the templates")
        screen.query_one("#template", Select).value = "ubuntu-server"
        await until(pilot, lambda: bool(screen.query(".none")), "no parameters")
        assert "no parameters" in str(screen.query_one(".none", Label).render())


async def test_each_row_shows_its_cost_so_far_and_per_hour(
    client: DaemonClient, clocked_prismd: Any
) -> None:
    launch(client, "priced")
    clocked_prismd.clock.forward(hours=5)
    report = client.call("GET", "/api/v1/cost", CostReport)
    [line] = [c for c in report.costs if c.name == "priced" and c.kind == "workstation"]
    assert line.total_usd > 0.2  # five hours of a t3.medium and its disk
    app = PrismApp(client, poll_seconds=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: row_of(app, "priced") is not None, "priced's row")
        row = row_of(app, "priced")
        assert row is not None
        assert row[7:] == [f"{line.hourly_usd:.4f}", f"{line.total_usd:.2f}"]


async def test_changes_made_elsewhere_are_pushed_without_waiting_for_a_poll(
    client: DaemonClient, clocked_prismd: Any
) -> None:
    launch(client, "watched")
    events = clocked_prismd.engine.events
    app = PrismApp(client, poll_seconds=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_of(app, "watched") == "running", "the first look")
        await until(pilot, lambda: events.subscribers == 1, "the TUI listening to prismd")

        stopped = client.call("POST", "/api/v1/workstations/watched/stop", WorkstationResult)
        await until(
            pilot,
            lambda: state_of(app, "watched") == stopped.workstation.state.value,
            "the stop pushed",
        )
        await until(pilot, lambda: state_of(app, "watched") == "stopped", "EC2's stop pushed")

        body = {"template": "ubuntu-server", "name": "arrived", "wait": True}
        client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
        await until(pilot, lambda: state_of(app, "arrived") == "running", "a new one pushed")
        message = app.query_one("#message")
        await until(pilot, lambda: "arrived is running" in str(message.render()), "its notice")


async def test_a_template_refused_on_the_chosen_architecture_says_why(
    client: DaemonClient,
) -> None:
    app = PrismApp(client, poll_seconds=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await launch_screen(app, pilot)
        await until(pilot, lambda: "gpu-deep-learning" in screen.templates, "the templates")
        screen.query_one("#template", Select).value = "gpu-deep-learning"
        screen.query_one("#arch", Select).value = "arm64"
        screen.query_one("#name", Input).focus()
        await pilot.press(*"gpu-arm", "enter")
        stage = screen.query_one("#stage", Label)
        await until(pilot, lambda: stage.has_class("error"), "the refusal")
        shown = str(stage.render())
        assert "GPU Deep Learning does not work on arm64" in shown
        assert "gpu-deep-learning-graviton" in shown
    assert app.session.actions == []
