"""The agent scraped by a real Prometheus server (Debian's package) on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[dict[str, Any]]:
    env = {**os.environ, "PHOENIX_HOME": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "phoenix", "pipeline", "deploy", "process-topk-v1"],
        env=env,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "phoenix", "agent", "--interval", "1", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    yield {"url": url, "token_file": tmp_path / "phoenix-agent.token", "home": tmp_path}
    process.terminate()
    process.wait(timeout=10)


def test_prometheus_sees_what_the_agent_reports(
    agent: dict[str, Any], tmp_path: Path, system_tool: Any
) -> None:
    prometheus = system_tool("prometheus", package="prometheus")
    target = agent["url"].removeprefix("http://").removesuffix("/metrics")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: phoenix\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
        f"    authorization: {{credentials_file: {agent['token_file']}}}\n"
    )
    server = subprocess.Popen(
        [
            prometheus,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api/v1/query"
    try:

        def query(promql: str, at: str | None = None) -> list[dict[str, Any]]:
            params = {"query": promql} | ({"time": at} if at else {})
            reply = httpx.get(api, params=params, timeout=5).json()
            return list(reply["data"]["result"])

        deadline = time.monotonic() + 60
        reported: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            try:
                reported = query("timestamp(phoenix_pipeline_output_series)")
            except (httpx.HTTPError, json.JSONDecodeError, KeyError):
                reported = []
            if reported:
                break
            time.sleep(0.5)
        assert reported, "Prometheus never scraped the agent"
        # Evaluated at that scrape's own timestamp, every query reads the same scrape.
        at = reported[0]["value"][1]
        counted = query('count({job="phoenix", __name__=~"process_.+"})', at)
        output = query("phoenix_pipeline_output_series", at)
        assert float(counted[0]["value"][1]) == float(output[0]["value"][1])
        reduction = query("1 - phoenix_pipeline_output_series / phoenix_pipeline_input_series", at)
        assert float(reduction[0]["value"][1]) > 0
        info = query("phoenix_pipeline_info", at)
        assert info[0]["metric"]["pipeline"] == "process-topk-v1"
        rollups = query('count(process_threads{phoenix_rollup_category="_other_"})', at)
        assert float(rollups[0]["value"][1]) == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_metrics_need_the_token(agent: dict[str, Any]) -> None:
    assert httpx.get(agent["url"]).status_code == 401
    token = agent["token_file"].read_text().strip()
    deadline = time.monotonic() + 10
    text = ""
    while "process_threads" not in text and time.monotonic() < deadline:
        text = httpx.get(agent["url"], headers={"Authorization": f"Bearer {token}"}).text
        time.sleep(0.3)
    assert "# TYPE process_cpu_time_seconds_total counter" in text
    assert "# HELP phoenix_pipeline_output_series " in text
