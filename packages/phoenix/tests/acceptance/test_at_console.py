"""The PRD's acceptance tests for the console, as a new user meets it: `phoenix server` started
(nothing else: it runs this host's agent), its printed URL opened in Debian's headless Chromium,
this host's deployment with its reduction, an A/B experiment started from the catalog and
watched side by side, and the winner promoted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.acceptance


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("console-home")


@pytest.fixture(scope="module")
def busy_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    """Critical processes and 30 others, up before phoenix server's agent first scrapes."""
    folder = tmp_path_factory.mktemp("console-processes")
    names = ["nginx", "postgres", *[f"batch-{i}" for i in range(30)]]
    started = []
    for name in names:
        (folder / name).symlink_to(shutil.which("sleep") or "/bin/sleep")
        started.append(subprocess.Popen([str(folder / name), "600"]))
    deadline = time.monotonic() + 20
    for process, name in zip(started, names, strict=True):  # each named once it has exec'd
        while psutil.Process(process.pid).name() != name:
            assert time.monotonic() < deadline, f"{name} never started"
            time.sleep(0.01)
    yield [p.pid for p in started]
    for process in started:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def login_url(home: Path, busy_host: list[int]) -> Iterator[str]:
    """A new user's first steps: a pipeline deployed, then `phoenix server`, whose first line is
    the console's login URL; it runs this host's agent too (one scrape a minute, so the figures
    hold still while the page and the CLI both read them)."""
    env = {**os.environ, "PHOENIX_HOME": str(home), "COLUMNS": "300"}
    phoenix = [sys.executable, "-m", "phoenix"]
    deployed = subprocess.run(
        [*phoenix, "pipeline", "deploy", "process-topk-v1"], env=env, capture_output=True
    )
    assert deployed.returncode == 0, deployed.stderr
    server = subprocess.Popen(
        [*phoenix, "server", "--port", "0", "--agent-port", "0", "--agent-interval", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    first = server.stdout.readline().strip()
    try:
        assert "/login?ticket=" in first, first
        yield first
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def page(browser: Browser, login_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(login_url)
    yield page
    context.close()


def test_AT_P09_the_console_shows_deployments_with_their_reduction(
    home: Path, page: Page, phoenix_cli: Callable[..., Any]
) -> None:
    # Nothing but `phoenix server` runs: its agent measures this host.
    live = phoenix_cli(home).json("pipeline", "status")["live"]
    assert live["healthy"], live
    assert live["critical_in_input"] >= 2 and live["critical_retention_percent"] == 100.0
    page.get_by_role("link", name="Deployments").click()
    row = page.locator("tr[data-host='this host']")
    expect(row).to_contain_text("process-topk-v1")
    expect(row).to_contain_text("running")
    expect(row.locator("td.reduction")).to_have_text(f"{live['reduction_percent']:.1f}%")
    assert live["reduction_percent"] > 50
    expect(row).to_contain_text(f"${live['monthly_saving_usd']:.2f}")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_AT_P10_the_console_shows_ab_results_side_by_side(
    home: Path, page: Page, phoenix_cli: Callable[..., Any], processes: Callable[..., Any]
) -> None:
    processes(["nginx", "java"])
    page.get_by_role("link", name="Catalog").click()
    page.get_by_role("link", name="process-aggregated-v1").click()
    page.get_by_label("Experiment name").fill("console-ab")
    page.get_by_label("Experiment duration").fill("5s")
    page.get_by_label("Experiment interval").fill("1s")
    page.get_by_role("button", name="Start experiment").click()
    page.wait_for_url("**/experiments/*")
    expect(page.get_by_label("Live")).to_be_visible()
    expect(page.locator(".badge.completed")).to_be_visible(timeout=30_000)

    report = phoenix_cli(home).json("experiment", "compare", "console-ab")
    compare = page.get_by_label("Comparison")
    expect(compare.locator("thead")).to_contain_text("A: process-baseline-v1")
    expect(compare.locator("thead")).to_contain_text("B: process-aggregated-v1")
    for key in ("output_series", "reduction_percent", "critical_retention_percent"):
        cells = compare.locator(f"tr[data-row='{key}'] td")
        for column, variant in ((1, "A"), (2, "B")):
            value = report["variants"][variant][key]
            shown = f"{value:.1f}%" if key.endswith("percent") else f"{value:,.1f}"
            expect(cells.nth(column)).to_have_text(shown)
    assert report["variants"]["B"]["output_series"] < report["variants"]["A"]["output_series"]
    expect(page.get_by_label("Success criteria")).to_contain_text("✓ critical processes kept")


def test_AT_P11_promotion(home: Path, page: Page, phoenix_cli: Callable[..., Any]) -> None:
    page.get_by_role("link", name="Experiments").click()
    page.get_by_role("link", name="console-ab").click()
    expect(page.locator(".badge.completed")).to_be_visible()
    page.get_by_role("button", name="Promote candidate").click()
    page.get_by_role("dialog", name="Promote the candidate").get_by_role(
        "button", name="Promote"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("process-aggregated-v1 is deployed")
    status = phoenix_cli(home).json("pipeline", "status")
    assert status["deployment"]["pipeline"] == "process-aggregated-v1"
    assert status["deployment"]["reason"].startswith("promoted from experiment")

    # The same through the CLI, back to the baseline the experiment compared against.
    promoted = phoenix_cli(home).json(
        "experiment", "promote", "console-ab", "--variant", "baseline"
    )
    assert promoted["deployment"]["pipeline"] == "process-baseline-v1"
