"""The console's other paths in Debian's headless Chromium against a real phoenix server: what a
first load fetches, a fleet host whose collector is down, and an experiment started from the
deployments row's quick action, watched with the load simulator running, and stopped after
confirming."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from phoenix.deployments import current, deploy
from phoenix.experiments.service import Experiments
from phoenix.fleet.service import Fleet, default_workdir
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec
from phoenix.store import open_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_first_load_fetches_its_data_once_and_under_300_kb_of_javascript(
    console: Any, phoenix_home: Path, browser: Browser
) -> None:
    with console(phoenix_home) as (page, url):
        # A new context: an empty cache, the session cookie only.
        context = browser.new_context(storage_state=page.context.storage_state())
        fresh = context.new_page()
        responses: list[Response] = []
        fresh.on("response", lambda response: responses.append(response))
        fresh.goto(f"{url}/")
        expect(fresh.locator("tr[data-host='this host'] td.reduction")).to_be_visible()
        # The page preloads the view's reply; the script takes it instead of asking again.
        assert [r.url for r in responses if "/api/" in r.url] == [f"{url}/api/v1/hosts"]
        scripts = {r.url: len(r.body()) for r in responses if r.url.endswith(".js")}
        assert 0 < sum(scripts.values()) <= 300 * 1024, scripts
        assert not any("uPlot" in name for name in scripts), "the charts load with an experiment"
        context.close()


def test_a_fleet_host_whose_collector_is_down_shows_the_code_message_and_fix(
    page: Page, phoenix_home: Path, otelcol: Path
) -> None:
    # A local fleet host with the real collector, never deployed: nothing runs there.
    Fleet(open_store(phoenix_home)).add_host(
        "lab-1",
        "lab",
        ssh=None,
        netns=None,
        collector=str(otelcol),
        workdir=default_workdir(phoenix_home, "lab-1"),
        gateway="http://127.0.0.1:4318",
        health_port=_free_port(),
        telemetry_port=_free_port(),
    )
    page.reload()
    row = page.locator("tr[data-host='lab-1']")
    expect(row).to_contain_text("(lab)")
    expect(row.locator(".badge")).to_have_text("down")
    alert = page.get_by_role("alert").filter(has_text="lab-1")
    expect(alert).to_contain_text("PHOENIX_COLLECTOR_DOWN")
    expect(alert).to_contain_text("The collector on lab-1 is not running")
    expect(alert).to_contain_text("phoenix fleet deploy PIPELINE --group lab")
    expect(alert).to_contain_text(f"{default_workdir(phoenix_home, 'lab-1')}/collector.log")

    page.get_by_label("Filter by host").select_option("lab-1")
    expect(page.locator("tbody tr[data-host]")).to_have_count(1)
    page.get_by_label("Filter by host").select_option("this host")
    expect(page.locator("tbody tr[data-host]")).to_have_count(1)
    expect(page.get_by_role("alert").filter(has_text="lab-1")).to_have_count(0)


@pytest.fixture
def loadsim(phoenix_home: Path) -> Iterator[LoadSim]:
    sim = LoadSim(phoenix_home)
    yield sim
    sim.stop()


def test_an_experiment_from_the_deployments_row_shows_the_load_simulator_and_is_stopped(
    page: Page, phoenix_home: Path, loadsim: LoadSim
) -> None:
    conn = open_store(phoenix_home)
    deploy(conn, "process-topk-v1", {}, "test")
    loadsim.start(load_spec(ProfileName.REALISTIC, process_count=6))
    page.reload()

    page.locator("tr[data-host='this host']").get_by_role("button", name="Start experiment").click()
    expect(page.get_by_text("Pick a candidate to compare with process-topk-v1.")).to_be_visible()
    page.get_by_role("link", name="process-aggregated-v1").click()
    expect(page.get_by_label("Experiment baseline")).to_have_value("process-topk-v1")
    page.get_by_label("Experiment name").fill("from-the-row")
    page.get_by_label("Experiment duration").fill("10m")
    page.get_by_label("Experiment interval").fill("1s")
    expect(page.get_by_label("Experiment command")).to_contain_text(
        "phoenix experiment create from-the-row --baseline process-topk-v1"
        " --candidate process-aggregated-v1 --duration 10m --interval 1s"
    )
    page.get_by_role("button", name="Start experiment").click()
    page.wait_for_url("**/experiments/*")
    expect(page.locator(".badge.running")).to_be_visible(timeout=20_000)
    simulator = page.get_by_label("Load simulator")
    expect(simulator).to_contain_text("running realistic")
    running = loadsim.status().simulation.processes
    assert running >= 6
    expect(simulator).to_contain_text(f"{running} processes")

    page.get_by_role("button", name="Stop").click()
    dialog = page.get_by_role("dialog", name="Stop the experiment")
    expect(dialog).to_contain_text("phoenix experiment stop")
    dialog.get_by_role("button", name="Cancel").click()
    experiments = Experiments(phoenix_home, conn)
    assert experiments.get("from-the-row").state.active
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("dialog", name="Stop the experiment").get_by_role(
        "button", name="Stop"
    ).click()
    expect(page.locator(".badge.cancelled")).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Live")).to_have_count(0)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)
    assert not experiments.get("from-the-row").state.active
    restored = current(conn)
    assert restored is not None and restored.pipeline == "process-topk-v1"
