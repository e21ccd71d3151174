"""The agent's OTLP/HTTP export, received by a real HTTP server on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from phoenix import __version__
from phoenix.agent.otlp import OtlpExporter
from phoenix.agent.service import Agent
from phoenix.collector.model import SERIES_PER_ROW, batch_from_rows, new_row
from phoenix.collector.scrape import Scraper
from phoenix.deployments import deploy
from phoenix.store import open_store

METRICS = {
    "process.cpu.time",
    "process.memory.usage",
    "process.memory.virtual",
    "process.disk.io",
    "process.threads",
    "process.open_file_descriptors",
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


@dataclass
class Collector:
    """Answers each POST with the next scripted reply (then 200) and records what it got."""

    url: str
    replies: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def collector() -> Iterator[Collector]:
    state = Collector(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            state.received.append(
                Received(self.path, dict(self.headers.items()), body, time.monotonic())
            )
            status, headers, reply = state.replies.pop(0) if state.replies else (200, {}, b"{}")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def attributes(key_values: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {kv["key"]: kv["value"] for kv in key_values}


def exposed(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} is not in the exposition"
    return float(found.group(1))


def small_batch() -> Any:
    rows = [new_row(row_id=i, pid=100 + i, name=f"svc-{i}", rss=1024) for i in range(3)]
    return batch_from_rows(rows, timestamp=time.time())


def test_a_processed_scrape_is_posted_as_otlp_json(
    collector: Collector, tmp_path: Path, processes: Callable[[list[str]], Any]
) -> None:
    # More idle processes than top-k keeps (20), so the rest is certainly rolled up.
    nginx, *_ = processes(["nginx", *[f"idle-{i}" for i in range(30)]])
    with open_store(tmp_path) as conn:
        deploy(conn, "process-topk-v1", {}, "test")
    exporter = OtlpExporter(collector.url, {"X-Tenant": "lab"})
    agent = Agent(tmp_path, 10.0, exporter=exporter)
    scraper = Scraper()
    scraper.scrape()
    agent.run_once(scraper, agent.engine())
    exporter.close()
    text = agent.text.decode()

    assert len(collector.received) == 1
    request = collector.received[0]
    assert request.path == "/v1/metrics"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Tenant"] == "lab"

    output_series = exposed(text, "phoenix_pipeline_output_series")
    assert output_series < exposed(text, "phoenix_pipeline_input_series")
    resources = request.body["resourceMetrics"]
    assert len(resources) * SERIES_PER_ROW == output_series
    by_kind: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for resource in resources:
        attrs = attributes(resource["resource"]["attributes"])
        by_kind["process.pid" in attrs].append(attrs)
    [rollup] = by_kind[False]
    assert rollup["phoenix.rollup.category"] == {"stringValue": "_other_"}
    pids = {
        int(attrs["process.pid"]["intValue"]): attrs["process.executable.name"]["stringValue"]
        for attrs in by_kind[True]
    }
    points = 0
    for resource in resources:
        [scope] = resource["scopeMetrics"]
        assert scope["scope"] == {"name": "phoenix", "version": __version__}
        metrics = {metric["name"]: metric for metric in scope["metrics"]}
        assert set(metrics) == METRICS
        for name in ("process.cpu.time", "process.disk.io"):
            assert metrics[name]["sum"]["isMonotonic"] is True
            assert metrics[name]["sum"]["aggregationTemporality"] == 2
        cpu = metrics["process.cpu.time"]["sum"]["dataPoints"]
        assert {attributes(p["attributes"])["state"]["stringValue"] for p in cpu} == {
            "user",
            "system",
            "wait",
        }
        assert all(isinstance(p["asDouble"], float) for p in cpu)
        [memory] = metrics["process.memory.usage"]["gauge"]["dataPoints"]
        assert memory["asInt"].isdigit()
        assert memory["timeUnixNano"].isdigit()
        for metric in scope["metrics"]:
            points += len((metric.get("sum") or metric["gauge"])["dataPoints"])
    assert points == output_series
    # topk keeps critical processes, so the nginx started above is exported under its pid.
    assert pids[nginx.pid] == "nginx"
    assert exposed(text, "phoenix_otlp_exported_datapoints_total") == output_series
    assert exposed(text, "phoenix_otlp_export_failures_total") == 0


def test_a_503_is_retried_after_the_wait_the_server_asks_for(collector: Collector) -> None:
    collector.replies.append((503, {"Retry-After": "7"}, b"{}"))
    waits: list[float] = []
    exporter = OtlpExporter(collector.url, deadline_seconds=30, sleep=waits.append)
    batch = small_batch()
    assert exporter.export(batch)
    exporter.close()
    first, second = collector.received
    assert first.body == second.body
    assert waits == [7.0]
    assert exporter.failures == 0
    assert exporter.exported_datapoints == batch.series_count


def test_a_refused_batch_is_not_retried_and_counts_as_a_failure(collector: Collector) -> None:
    collector.replies.append((400, {}, b'{"message": "bad"}'))
    exporter = OtlpExporter(collector.url)
    assert not exporter.export(small_batch())
    exporter.close()
    assert len(collector.received) == 1
    assert (exporter.exported_datapoints, exporter.failures) == (0, 1)


def test_a_retry_after_past_the_deadline_drops_the_batch_without_waiting(
    collector: Collector,
) -> None:
    collector.replies.append((429, {"Retry-After": "60"}, b"{}"))
    waits: list[float] = []
    exporter = OtlpExporter(collector.url, deadline_seconds=10, sleep=waits.append)
    assert not exporter.export(small_batch())
    exporter.close()
    assert len(collector.received) == 1
    assert waits == []
    assert exporter.failures == 1


def test_rejected_datapoints_of_a_partial_success_are_not_counted(collector: Collector) -> None:
    collector.replies.append((200, {}, b'{"partialSuccess": {"rejectedDataPoints": "4"}}'))
    exporter = OtlpExporter(collector.url)
    batch = small_batch()
    assert exporter.export(batch)
    exporter.close()
    assert exporter.exported_datapoints == batch.series_count - 4


def agent_once(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "phoenix", "agent", "--once", *args],
        env={
            **os.environ,
            "PHOENIX_HOME": str(tmp_path),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_once_exports_to_the_endpoint_from_the_environment(
    collector: Collector, tmp_path: Path
) -> None:
    done = agent_once(
        tmp_path,
        "--otlp-header",
        "Authorization=Bearer s3cret",
        env={"PHOENIX_OTLP_ENDPOINT": collector.url},
    )
    assert done.returncode == 0, done.stderr
    [request] = collector.received
    assert request.headers["Authorization"] == "Bearer s3cret"
    points = exposed(done.stdout, "phoenix_otlp_exported_datapoints_total")
    assert points == exposed(done.stdout, "phoenix_pipeline_output_series")
    assert len(request.body["resourceMetrics"]) * SERIES_PER_ROW == points


def test_an_unreachable_endpoint_does_not_stop_once(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = agent_once(tmp_path, "--otlp-endpoint", f"http://127.0.0.1:{port}")
    assert done.returncode == 0, done.stderr
    assert "# TYPE process_cpu_time_seconds_total counter" in done.stdout
    assert exposed(done.stdout, "phoenix_otlp_export_failures_total") == 1
    assert exposed(done.stdout, "phoenix_otlp_exported_datapoints_total") == 0
    log = (tmp_path / "logs" / "phoenix.log").read_text()
    [failed] = [json.loads(line) for line in log.splitlines() if "OTLP export failed" in line]
    assert failed["level"] == "warning"


def test_a_header_without_an_endpoint_is_a_usage_error(tmp_path: Path) -> None:
    done = agent_once(tmp_path, "--otlp-header", "a=b")
    assert done.returncode == 2
    assert "--otlp-endpoint" in done.stderr
