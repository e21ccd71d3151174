"""The web console in Debian's headless Chromium against a real phoenix server: each view, an
experiment updating live, promotion, and the error states."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psutil
from playwright.sync_api import Page, expect

from phoenix.deployments import current, deploy
from phoenix.experiments.service import Experiments
from phoenix.pipelines import catalog
from phoenix.store import open_store


def test_deployments_show_this_host_with_its_reduction_and_filters(
    page: Page, phoenix_home: Path, agent: Callable[[], Any], processes: Any
) -> None:
    processes(["nginx", "postgres"])
    deploy(open_store(phoenix_home), "process-priority-filter-v1", {}, "test")
    agent()
    # The reduction is checked against the series counts of the very reply the page drew: the
    # agent's processes change between two scrapes, so a scrape of the test's own can differ.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/hosts")) as answered:
        page.reload()
    drawn = next(h for h in answered.value.json()["host_deployments"] if h["kind"] == "this host")
    inputs, outputs = drawn["input_series"], drawn["output_series"]
    assert inputs > outputs > 0
    row = page.locator("tr[data-host='this host']")
    expect(row).to_contain_text("process-priority-filter-v1")
    expect(row).to_contain_text("running")
    assert drawn["reduction_percent"] == round(100 * (1 - outputs / inputs), 2)
    shown = Decimal(drawn["reduction_percent"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    expect(row.locator("td.reduction")).to_have_text(f"{shown}%")  # toFixed(1) rounds half up
    expect(row).to_contain_text("100.0%")  # both critical processes kept
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_label("Filter by status").select_option("running")
    expect(row).to_be_visible()
    page.get_by_label("Filter by pipeline").select_option("process-priority-filter-v1")
    expect(page.locator("tbody tr[data-host]")).to_have_count(1)


def test_a_host_whose_collector_is_down_shows_the_code_message_and_fix(page: Page) -> None:
    row = page.locator("tr[data-host='this host']")
    expect(row).to_contain_text("down")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("PHOENIX_AGENT_DOWN")
    expect(alert).to_contain_text("phoenix's agent is not collecting on this host")
    expect(alert).to_contain_text("Start it: phoenix agent")


def test_roll_back_from_the_deployments_view_after_confirming(
    page: Page, phoenix_home: Path
) -> None:
    conn = open_store(phoenix_home)
    deploy(conn, "process-topk-v1", {}, "test")
    deploy(conn, "process-aggregated-v1", {}, "test")
    page.reload()
    page.locator("tr[data-host='this host']").get_by_role("button", name="Roll back").click()
    dialog = page.get_by_role("dialog", name="Roll back")
    expect(dialog).to_contain_text("phoenix pipeline rollback")
    dialog.get_by_role("button", name="Cancel").click()
    assert current(conn) is not None and current(conn).pipeline == "process-aggregated-v1"  # type: ignore[union-attr]
    page.locator("tr[data-host='this host']").get_by_role("button", name="Roll back").click()
    page.get_by_role("dialog", name="Roll back").get_by_role("button", name="Roll back").click()
    expect(page.get_by_role("status")).to_contain_text("process-topk-v1 is deployed")
    assert current(conn).pipeline == "process-topk-v1"  # type: ignore[union-attr]


def test_catalog_shows_every_pipeline_and_deploys_one_with_parameters(
    page: Page, phoenix_home: Path
) -> None:
    page.get_by_role("link", name="Catalog").click()
    expect(page.locator("table.catalog tbody tr")).to_have_count(len(catalog.names()))
    page.get_by_role("link", name="process-topk-v1").click()
    expect(page.get_by_role("heading", name="process-topk-v1")).to_be_visible()
    pipeline = page.get_by_label("Pipeline YAML")
    collector = page.get_by_label("Collector config")
    expect(pipeline.locator(".y-key").first).to_have_text("name")
    expect(pipeline).to_contain_text("type: topk")
    expect(collector).to_contain_text("hostmetrics")
    expect(collector.locator(".y-comment").first).to_contain_text("collector approximate")
    left, right = pipeline.bounding_box(), collector.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"], "side by side"

    command = page.get_by_label("Deploy command")
    expect(command).to_have_text("phoenix pipeline deploy process-topk-v1")
    page.get_by_label("topk.k").fill("7")
    expect(command).to_have_text("phoenix pipeline deploy process-topk-v1 --param topk.k=7")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_contain_text("process-topk-v1 is deployed as version 1")
    deployed = current(open_store(phoenix_home))
    assert deployed is not None and deployed.params == {"topk.k": "7"}

    page.get_by_label("topk.k").fill("abc")
    page.get_by_role("button", name="Deploy").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("PHOENIX_PARAM_INVALID")
    expect(alert).to_contain_text("phoenix pipeline show")


def test_an_experiment_started_from_the_catalog_updates_live_and_is_promoted(
    page: Page, phoenix_home: Path
) -> None:
    requests: list[str] = []
    page.on(
        "request",
        lambda request: requests.append(request.url) if request.method == "GET" else None,
    )
    page.goto(page.url.rstrip("/") + "/catalog/process-topk-v1")
    page.get_by_label("Experiment name").fill("live-trial")
    page.get_by_label("Experiment duration").fill("5s")
    page.get_by_label("Experiment interval").fill("1s")
    expect(page.get_by_label("Experiment command")).to_contain_text(
        "phoenix experiment create live-trial --baseline process-baseline-v1"
        " --candidate process-topk-v1 --duration 5s --interval 1s"
    )
    page.get_by_role("button", name="Start experiment").click()
    page.wait_for_url("**/experiments/*")
    expect(page.get_by_role("heading", name="Experiment live-trial")).to_be_visible()

    measured = page.locator("tr[data-row='intervals'] td").nth(1)
    expect(measured).to_have_text("1", timeout=20_000)
    expect(measured).to_have_text("3", timeout=20_000)  # more came without a reload
    expect(page.locator(".badge.completed")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Live")).to_have_count(0)
    compare = page.get_by_label("Comparison")
    a = float(
        compare.locator("tr[data-row='output_series'] td").nth(1).inner_text().replace(",", "")
    )
    b = float(
        compare.locator("tr[data-row='output_series'] td").nth(2).inner_text().replace(",", "")
    )
    assert b < a
    expect(page.get_by_label("Success criteria")).to_contain_text("critical processes kept by B")
    expect(page.locator(".chart").first).to_have_attribute("data-points", "10")
    expect(page.locator(".chart canvas").first).to_be_visible()
    polled = [url for url in requests if "/api/v1/experiments/" in url and "events" not in url]
    assert polled == [], f"the page polled instead of listening: {polled}"
    assert sum("/events" in url for url in requests) == 1

    with page.expect_download() as saved:
        page.get_by_role("button", name="Export JSON").click()
    exported = json.loads(Path(saved.value.path()).read_text())
    assert exported["experiment"]["name"] == "live-trial"
    assert exported["variants"]["B"]["intervals"] >= 3
    with page.expect_download() as saved:
        page.get_by_role("link", name="Export HTML").click()
    assert "<h1>Experiment live-trial" in Path(saved.value.path()).read_text()

    page.get_by_role("button", name="Promote candidate").click()
    page.get_by_role("dialog", name="Promote the candidate").get_by_role(
        "button", name="Promote"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("process-topk-v1 is deployed")
    deployed = current(open_store(phoenix_home))
    assert deployed is not None and deployed.pipeline == "process-topk-v1"
    assert deployed.reason.startswith("promoted from experiment")

    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete the experiment").get_by_role(
        "button", name="Delete"
    ).click()
    page.wait_for_url("**/experiments")
    expect(page.get_by_text("No experiments yet.")).to_be_visible()


def test_a_failed_experiment_shows_its_code_message_and_log(page: Page, phoenix_home: Path) -> None:
    experiments = Experiments(phoenix_home, open_store(phoenix_home))
    created = experiments.create(
        "doomed", "process-baseline-v1", "process-topk-v1", 600, 1, "nginx", 50, 100
    )
    started = experiments.start(created.id)
    assert started.runner_pid is not None
    os.kill(started.runner_pid, signal.SIGKILL)
    psutil.Process(started.runner_pid).wait(timeout=10)

    page.get_by_role("link", name="Experiments").click()
    page.get_by_role("link", name="doomed").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("PHOENIX_EXPERIMENT_FAILED")
    expect(alert).to_contain_text("the runner process died")
    expect(alert).to_contain_text(f"experiment-{created.id}.log")
    expect(page.locator(".badge.failed")).to_be_visible()


def test_an_unknown_experiment_is_a_visible_error(page: Page) -> None:
    page.goto(page.url.rstrip("/") + "/experiments/nope")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("PHOENIX_EXPERIMENT_NOT_FOUND")
