"""The TUI's launch form, per-row costs and live updates, headless (Textual's pilot) against a
real sandbox prismd on a clock the test moves: a template picked with its parameters (and a
size and architecture) launches as chosen; each workstation's row shows the cost route's
figures; a change made through the API appears through prismd's event stream while the poll
interval is an hour, so only the push can have brought it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select

from prism.cost.model import CostReport
from prism.daemon.client import DaemonClient
from prism.daemon.follow import follow_launch
from prism.tui.app import PrismApp
from prism.tui.launch import LaunchScreen
from prism.workstations.results import LaunchResult, WorkstationResult

SIZE = (200, 60)
TICKS = 600
"""Pilot pauses to wait for prismd's answer at most (a bound on a hang, not a timing)."""
NEVER = 3600.0
"""A poll interval no test lasts: what shows up after the first look was pushed."""


@pytest.fixture(scope="module")
def client(clocked_prismd: Any) -> DaemonClient:
    return DaemonClient(clocked_prismd.state)


def launch(client: DaemonClient, name: str) -> None:
    body = {"template": "ubuntu-server", "name": name, "wait": True}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, name, on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)


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


async def test_the_launch_form_offers_the_templates_parameters(client: DaemonClient) -> None:
    app = PrismApp(client, poll_seconds=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LaunchScreen)
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
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LaunchScreen)
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
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LaunchScreen)
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
