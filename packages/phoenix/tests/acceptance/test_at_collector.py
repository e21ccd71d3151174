"""The PRD's acceptance tests on the real collector: a deployment with metrics flowing, a failed
deployment's error report (CLI and console), rollback, and the collector's overhead.

One local fleet host runs phoenix-otelcol and sends OTLP to a gateway collector; Prometheus
scrapes the gateway. This host's own collector, phoenix's agent, runs beside it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import Page, expect

from phoenix.pipelines import catalog

pytestmark = pytest.mark.acceptance

Console = Callable[[Path], AbstractContextManager[tuple[Page, str]]]


@pytest.fixture
def agent(fleet: Any, start_agent: Callable[..., Any]) -> Any:
    return start_agent(fleet.cli, 1.0)


def _live(fleet: Any) -> dict[str, Any]:
    live: dict[str, Any] = fleet.cli.json("pipeline", "status")["live"]
    return live


def test_AT_P01_baseline_deploy_with_metrics_flowing(
    fleet: Any, agent: Any, processes: Callable[..., Any]
) -> None:
    [marker] = processes(["nginx"])
    deployed = fleet.cli.json("fleet", "deploy", "process-baseline-v1", "--group", fleet.group)
    [host] = deployed["deployments"]
    assert (host["pipeline"], host["outcome"]) == ("process-baseline-v1", "running")
    fleet.prometheus.until(
        "the baseline's series at the gateway",
        lambda: (
            fleet.pipelines_seen() == {"process-baseline-v1"}
            and fleet.prometheus.value(f'count(process_threads{{process_pid="{marker.pid}"}})') == 1
        ),
    )
    flowing = fleet.prometheus.value(
        f'count(process_threads{{phoenix_group="{fleet.group}", host_name="{fleet.host}"}})'
    )
    assert flowing >= 0.5 * len(psutil.pids()), "the baseline keeps every process"

    # This host: the baseline through phoenix's agent, live in `pipeline status`.
    fleet.cli.json("pipeline", "deploy", "process-baseline-v1")
    fleet.prometheus.until("the agent's first scrapes", lambda: (_live(fleet)["scrapes"] or 0) >= 2)
    live = _live(fleet)
    assert live["healthy"] is True and live["problem"] is None
    assert live["output_series"] == live["input_series"] > 0
    assert live["reduction_percent"] == 0.0


def test_AT_P14_collector_overhead_under_5_percent_of_a_core_and_100_mib(
    fleet: Any, start_agent: Callable[..., Any]
) -> None:
    """The KPI on a host at rest: the collector at its default 10 s collection interval."""
    fleet.cli.json("fleet", "deploy", "process-baseline-v1", "--group", fleet.group)
    pid = int((fleet.cli.home / "fleet" / fleet.host / "collector.pid").read_text())
    agent = start_agent(fleet.cli, 10.0)
    collectors = {
        "phoenix-otelcol": psutil.Process(pid),
        "phoenix agent": psutil.Process(agent.process.pid),
    }
    fleet.prometheus.until(
        "the collector's series at the gateway",
        lambda: fleet.pipelines_seen() == {"process-baseline-v1"},
    )
    before = {name: sum(p.cpu_times()[:2]) for name, p in collectors.items()}
    started = time.monotonic()
    time.sleep(30)  # the measuring window: three collections
    elapsed = time.monotonic() - started
    for name, process in collectors.items():
        cpu_percent = 100 * (sum(process.cpu_times()[:2]) - before[name]) / elapsed
        rss_mib = process.memory_info().rss / 2**20
        print(f"{name}: {cpu_percent:.2f}% of a core, {rss_mib:.1f} MiB")
        assert cpu_percent < 5, f"{name} used {cpu_percent:.1f}% of a core"
        assert rss_mib < 100, f"{name} holds {rss_mib:.0f} MiB"


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        yield int(squatter.getsockname()[1])


def test_AT_P12_error_reports_for_failed_deployments(
    fleet: Any, taken_port: int, tmp_path: Path, console: Console
) -> None:
    fleet.cli.json("fleet", "deploy", "process-topk-v1", "--group", fleet.group)
    broken = tmp_path / "exports-on-a-taken-port.yaml"
    broken.write_text(
        catalog.source("process-aggregated-v1").replace(
            "name: process-aggregated-v1", "name: process-aggregated-local-v1"
        )
        + f"export:\n  prometheus: {{endpoint: '127.0.0.1:{taken_port}'}}\n"
    )
    failed = fleet.cli.json("fleet", "deploy", str(broken), "--group", fleet.group, exit_code=1)
    [host] = failed["deployments"]
    assert host["outcome"] == "failed"
    assert "address already in use" in host["message"]
    [status] = fleet.cli.json("fleet", "status", "--group", fleet.group)["host_statuses"]
    assert (status["pipeline"], status["healthy"]) == ("process-topk-v1", True)

    with console(fleet.cli.home) as (page, _):
        row = page.locator(f"tr[data-host='{fleet.host}']")
        expect(row).to_contain_text("failed")
        report = page.get_by_role("alert").filter(has_text="PHOENIX_DEPLOY_FAILED")
        expect(report).to_contain_text("process-aggregated-local-v1")
        expect(report).to_contain_text("address already in use")
        expect(report).to_contain_text("phoenix pipeline render process-aggregated-local-v1")


def test_AT_P13_rollback(fleet: Any) -> None:
    for pipeline in ("process-topk-v1", "process-aggregated-v1"):
        fleet.cli.json("fleet", "deploy", pipeline, "--group", fleet.group)
    fleet.prometheus.until(
        "aggregated at the gateway", lambda: fleet.pipelines_seen() == {"process-aggregated-v1"}
    )
    [back] = fleet.cli.json("fleet", "rollback", "--group", fleet.group)["deployments"]
    assert (back["pipeline"], back["outcome"]) == ("process-topk-v1", "running")
    fleet.prometheus.until(
        "top-k back at the gateway", lambda: fleet.pipelines_seen() == {"process-topk-v1"}
    )

    # This host: the previous version's exact configuration comes back, as a new version.
    fleet.cli.json("pipeline", "deploy", "process-topk-v1", "--param", "topk.k=5")
    before = fleet.cli.json("pipeline", "get-config")["config"]
    fleet.cli.json("pipeline", "deploy", "process-aggregated-v1")
    rolled = fleet.cli.json("pipeline", "rollback")["deployment"]
    assert rolled["pipeline"] == "process-topk-v1" and rolled["params"] == {"topk.k": "5"}
    assert fleet.cli.json("pipeline", "get-config")["config"] == before
