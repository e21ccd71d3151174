"""Watching the server: /metrics as Prometheus reads it, the status page's figures, W3C trace
context through requests, WebSocket events, cell runs and log lines, spans exported to a real
OTLP/HTTP receiver, and the audit log.
"""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import connect

from groundwork.logs import configure_logging
from groundwork.service import running_service
from peragus.execution.runner import Limits
from peragus.server.app import peragus_app
from peragus.server.config import server_config

from .test_server import Server, new_notebook, receive_until, send, set_source, subscribe

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{TRACE}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("peragus-home")


@pytest.fixture
def server(shared_home: Path, tmp_path: Path) -> Iterator[Server]:
    config = server_config(shared_home, port=0)
    app = peragus_app(shared_home, tmp_path / "notebooks", config, Limits(timeout_seconds=20))
    with running_service(app, config) as info:
        yield Server(info.url, config.token_file.read_text().strip(), shared_home, tmp_path)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus exposition, parsed by Prometheus's own client parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def run_cell(server: Server, title: str, source: str, **headers: str) -> list[list[Any]]:
    """Creates a JavaScript notebook, runs its cell with ``source``; every event up to the end."""
    _, topic, cell_id = new_notebook(server, title)
    ws_url = server.url.replace("http://", "ws://") + "/websocket"
    with connect(
        ws_url, additional_headers={"authorization": f"Bearer {server.token}", **headers}
    ) as ws:
        subscribe(ws, topic)
        set_source(ws, topic, cell_id, source)
        send(ws, topic, "cell:exec", {"cellId": cell_id})
        seen, _ = receive_until(ws, "cell:updated", lambda p: "exitCode" in p)
    return seen


def test_metrics_need_the_token_and_count_requests_runs_and_connections(server: Server) -> None:
    assert httpx.get(f"{server.url}/metrics").status_code == 401
    run_cell(server, "Secret project name", "console.log('hi')")
    with server.http as http:
        http.get("/api/notebooks/nope/export")  # a 404, counted under its route's template
        reply = http.get("/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(reply.text)
    assert found[("peragus_cell_runs_total", (("outcome", "ok"),))] == 1
    assert found[("peragus_cell_run_duration_seconds_count", (("outcome", "ok"),))] == 1
    route = (("method", "GET"), ("route", "/api/notebooks/{name}/export"), ("status", "404"))
    assert found[("peragus_http_requests_total", route)] == 1
    assert (
        found[("peragus_websocket_messages_total", (("direction", "in"), ("event", "cell:exec")))]
        == 1
    )
    assert found[("peragus_websocket_connections", ())] == 0  # the run's connection closed
    assert found[("peragus_running_cells", ())] == 0
    assert found[("process_resident_memory_bytes", ())] > 10_000_000
    # Labels stay bounded: no notebook name or path a client sent becomes one.
    assert "secret-project-name" not in reply.text and "/nope/" not in reply.text


def test_a_traceparent_is_continued_on_http_and_into_cell_runs(server: Server) -> None:
    with server.http as http:
        reply = http.get("/api/notebooks", headers={"traceparent": CALLER})
        fresh = http.get("/api/notebooks", headers={"traceparent": "00-zz-bad-01"})
    version, trace, span, flags = reply.headers["traceparent"].split("-")
    assert (version, trace, flags) == ("00", TRACE, "01") and span != "00f067aa0ba902b7"
    assert fresh.headers["traceparent"].split("-")[1] != TRACE  # a malformed one starts anew

    seen = run_cell(server, "Traced", "console.log(process.env.TRACEPARENT)", traceparent=CALLER)
    updates = [payload for _, event, payload in seen if event == "cell:updated"]
    run_trace = updates[-1]["traceparent"]
    assert run_trace.split("-")[1] == TRACE
    outputs = [p["output"]["data"] for _, event, p in seen if event == "cell:output"]
    assert outputs == [run_trace + "\n"]  # the cell's own environment has its span


def logged_until(log_file: Path, event: str) -> list[dict[str, Any]]:
    """Every JSON line of ``log_file`` once one of them is ``event`` (10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in log_file.read_text().splitlines()]
        if any(line["event"] == event for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def test_log_lines_carry_the_trace(server: Server, tmp_path: Path) -> None:
    log_file = tmp_path / "server.log"
    configure_logging(log_file)
    try:
        with server.http as http:
            http.get("/api/notebooks", headers={"traceparent": CALLER})
        run_cell(server, "Logged", "console.log(1)", traceparent=CALLER)
        # The runner thread logs the run's end after publishing its last event: wait for the
        # line before logging moves off the file.
        lines = logged_until(log_file, "cell run finished")
    finally:
        configure_logging(None)
    request = next(line for line in lines if line.get("path") == "/api/notebooks")
    assert request["trace_id"] == TRACE
    finished = next(line for line in lines if line["event"] == "cell run finished")
    assert finished["trace_id"] == TRACE and finished["outcome"] == "ok"


class Receiver(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: decodes each export with the protocol's own protobuf."""

    spans: list[Any]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                self.spans.extend(scope.spans)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_spans_are_exported_over_otlp_when_the_endpoint_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = type("Handler", (Receiver,), {"spans": []})
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{receiver.server_port}")
    home = tmp_path / "home"
    config = server_config(home, port=0)
    app = peragus_app(home, tmp_path / "notebooks", config)
    with running_service(app, config) as info:
        server = Server(info.url, config.token_file.read_text().strip(), home, tmp_path)
        with server.http as http:
            http.get("/api/notebooks", headers={"traceparent": CALLER})
        run_cell(server, "Exported", "console.log(1)", traceparent=CALLER)
    receiver.shutdown()  # the app's shutdown flushed the batch before this
    ours = [s for s in handler.spans if s.trace_id.hex() == TRACE]
    names = {s.name for s in ours}
    assert "GET /api/notebooks" in names and "cell run" in names
    request = next(s for s in ours if s.name == "GET /api/notebooks")
    assert request.parent_span_id.hex() == "00f067aa0ba902b7"
    attributes = {a.key: a.value for a in request.attributes}
    assert attributes["http.route"].string_value == "/api/notebooks"
    assert attributes["http.response.status_code"].int_value == 200


def test_status_shows_live_runs_errors_and_alerts(server: Server) -> None:
    name, topic, cell_id = new_notebook(server, "Busy")
    with server.websocket() as ws, server.http as http:
        subscribe(ws, topic)
        set_source(ws, topic, cell_id, "console.log('up'); setInterval(() => {}, 1000)")
        send(ws, topic, "cell:exec", {"cellId": cell_id})
        receive_until(ws, "cell:output")
        http.get("/api/notebooks/missing/export")
        reply = http.get("/api/status")
        assert reply.status_code == 200
        status = reply.json()["status"]
        [run] = status["runs"]
        assert (run["notebook"], run["cell"]) == (name, "hello.mjs")
        assert run["processes"] >= 1 and run["rss_bytes"] > 1_000_000
        assert status["notebooks"] == [
            {"name": name, "pages": 1, "tsserver": False, "running_cells": 1}
        ]
        assert status["errors"][0]["code"] == "PERAGUS_NOTEBOOK_NOT_FOUND"
        assert status["errors"][0]["where"] == "/api/notebooks/{name}/export"
        assert status["containment"].startswith("cgroup v1")
        assert status["alerts"] == []

        limits = {"memory_mb": 16, "errors_per_minute": 100, "cell_seconds": 600}
        assert http.put("/api/settings/alerts", json=limits).status_code == 200
        alerts = http.get("/api/status").json()["status"]["alerts"]
        assert [a["kind"] for a in alerts] == ["memory"]
        assert "over the 16 MB threshold" in alerts[0]["message"]
        send(ws, topic, "cell:stop", {"cellId": cell_id})
        receive_until(ws, "cell:updated", lambda p: "exitCode" in p)
    status = server.http.get("/api/status").json()["status"]
    assert status["runs"] == []
    assert len(status["history"]) >= 1  # the sampler's first point, taken at start


def test_sensitive_changes_are_audited_without_values(server: Server) -> None:
    name, _, _ = new_notebook(server, "Audited")
    with server.http as http:
        assert http.put("/api/secrets/API_TOKEN", json={"value": "tok-very-secret"}).is_success
        assert http.put(f"/api/secrets/API_TOKEN/notebooks/{name}").is_success
        assert http.delete(f"/api/notebooks/{name}").is_success
    log = server.home / "logs" / "audit.jsonl"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "tok-very-secret" not in text
    events = [json.loads(line) for line in text.splitlines()]
    ours = [(e["action"], e["target"]) for e in events if e["target"] in ("API_TOKEN", name)]
    assert ours[-3:] == [
        ("secret.set", "API_TOKEN"),
        ("secret.link", "API_TOKEN"),
        ("notebook.delete", name),
    ]
    assert all(e["via"] == "api" and len(e["trace_id"]) == 32 for e in events)


def test_websocket_messages_are_compressed_for_a_client_that_asks(server: Server) -> None:
    _, topic, cell_id = new_notebook(server, "Compressed")
    ws_url = server.url.replace("http://", "ws://") + "/websocket"
    headers = {"authorization": f"Bearer {server.token}"}
    with connect(ws_url, additional_headers=headers) as ws:
        assert ws.response.headers["sec-websocket-extensions"].startswith("permessage-deflate")
        subscribe(ws, topic)
        set_source(ws, topic, cell_id, "console.log('squeezed '.repeat(1000))")
        send(ws, topic, "cell:exec", {"cellId": cell_id})
        seen, _ = receive_until(ws, "cell:updated", lambda p: "exitCode" in p)
    output = "".join(p["output"]["data"] for _, e, p in seen if e == "cell:output")
    assert output == "squeezed " * 1000 + "\n"
    with connect(ws_url, additional_headers=headers, compression=None) as plain:
        assert "sec-websocket-extensions" not in plain.response.headers
        subscribe(plain, topic)  # a client that does not ask is served uncompressed
