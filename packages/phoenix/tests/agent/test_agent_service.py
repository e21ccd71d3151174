"""The agent's HTTP side in process: what /metrics serves, its OpenAPI, its rate limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundwork.service import running_service
from phoenix.agent.runner import Agent
from phoenix.agent.service import agent_app, agent_config
from phoenix.collector.scrape import Scraper


@pytest.fixture
def metrics(tmp_path: Path) -> Iterator[tuple[httpx.Client, Agent]]:
    agent = Agent(tmp_path, 10.0)
    agent.run_once(Scraper(), agent.engine())
    config = agent_config(tmp_path, "127.0.0.1", 0)
    with running_service(agent_app(agent, config), config) as info:
        token = config.token_file.read_text().strip()
        with httpx.Client(
            base_url=info.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            yield client, agent


def test_metrics_serves_the_latest_scrape_in_the_text_format(
    metrics: tuple[httpx.Client, Agent],
) -> None:
    client, agent = metrics
    reply = client.get("/metrics")
    assert reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert reply.content == agent.text
    samples = [line for line in reply.text.splitlines() if line.startswith("process_threads{")]
    assert len(samples) * 9 == float(
        next(
            line.split()[1]
            for line in reply.text.splitlines()
            if line.startswith("phoenix_pipeline_output_series ")
        )
    )


def test_openapi_types_the_metrics_reply(metrics: tuple[httpx.Client, Agent]) -> None:
    client, _ = metrics
    spec: dict[str, Any] = client.get("/openapi.json").json()
    content = spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert content == {"text/plain; version=0.0.4; charset=utf-8": {"schema": {"type": "string"}}}


def test_a_burst_is_limited_and_scrapes_resume_after_retry_after(
    metrics: tuple[httpx.Client, Agent],
) -> None:
    """groundwork's defaults (a burst of 200, then 20/s): Prometheus every few seconds is far
    below them, a runaway loop is not."""
    client, _ = metrics
    statuses = []
    limited = None
    while limited is None and len(statuses) < 2000:
        reply = client.get("/metrics")
        statuses.append(reply.status_code)
        if reply.status_code == 429:
            limited = reply
    assert limited is not None, "2000 requests in a row were never limited"
    assert statuses[:200] == [200] * 200
    assert limited.json()["code"] == "GROUNDWORK_RATE_LIMITED"
    time.sleep(int(limited.headers["Retry-After"]))
    assert client.get("/metrics").status_code == 200


def test_live_figures_read_the_running_agent_and_tell_a_stuck_one(
    metrics: tuple[httpx.Client, Agent], tmp_path: Path, processes: Any
) -> None:
    from phoenix.deployments import deploy
    from phoenix.live import live_figures
    from phoenix.store import open_store

    _, agent = metrics
    processes(["nginx", "postgres"])
    deploy(open_store(tmp_path), "process-priority-filter-v1", {}, "test")
    agent.run_once(Scraper(), agent.engine())
    scraped_at = float(
        next(
            line.split()[1]
            for line in agent.text.decode().splitlines()
            if line.startswith("phoenix_agent_last_scrape_timestamp_seconds ")
        )
    )

    live = live_figures(tmp_path, now=scraped_at + 1)
    assert live.healthy and live.problem is None
    assert live.pipeline == "process-priority-filter-v1"
    assert live.output_series is not None and live.input_series is not None
    assert 0 < live.output_series < live.input_series
    assert live.critical_in_input is not None and live.critical_in_input >= 2
    assert live.critical_retained == live.critical_in_input
    assert live.input_datapoints_per_second == round(live.input_series / 10.0, 2)
    assert live.monthly_saving_usd is not None and live.monthly_saving_usd > 0

    stuck = live_figures(tmp_path, now=scraped_at + 3 * 10 + 6)
    assert not stuck.healthy
    assert stuck.problem is not None and stuck.problem.code == "PHOENIX_AGENT_DOWN"
    assert "last scrape was 36 s ago" in stuck.problem.message


def test_live_figures_name_an_agent_that_is_not_running(tmp_path: Path) -> None:
    from phoenix.live import live_figures

    live = live_figures(tmp_path)
    assert not live.healthy and live.input_series is None
    assert live.problem is not None and live.problem.code == "PHOENIX_AGENT_DOWN"
    assert live.problem.suggestions[0].startswith("Start it: phoenix agent")


def test_a_running_agent_runs_a_new_deployment_from_its_next_scrape(tmp_path: Path) -> None:
    import threading

    from phoenix.deployments import deploy
    from phoenix.store import open_store

    agent = Agent(tmp_path, 0.2)
    thread = threading.Thread(target=agent.loop)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while agent.scrapes < 2:
            assert time.monotonic() < deadline, "the agent never scraped"
            time.sleep(0.01)
        assert agent.pipeline == "process-baseline-v1"
        deploy(open_store(tmp_path), "process-topk-v1", {}, "test")
        deployed_at = agent.scrapes
        while agent.pipeline != "process-topk-v1":
            assert time.monotonic() < deadline, "the agent kept the old pipeline"
            time.sleep(0.01)
        # The scrape under way may finish with the old engine; the one after runs the new.
        assert agent.scrapes <= deployed_at + 2
    finally:
        agent.stop()
        thread.join(timeout=30)
