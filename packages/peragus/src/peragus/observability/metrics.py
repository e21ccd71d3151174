"""`/metrics` for Prometheus: requests, WebSocket traffic, cell runs, tsservers, npm installs, AI
calls, and the process's RSS and CPU (prometheus_client's process collector).

Each app has its own registry (tests run many servers in one process). Labels stay bounded: a
route's template, never its path; an event from the protocol's closed list, else ``other``;
outcomes from fixed sets; never a notebook's name or a cell's id.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_TYPE", "HttpMetricsMiddleware", "Metrics", "route_label"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class Metrics:
    def __init__(self) -> None:
        registry = self.registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        self.http_requests = Counter(
            "peragus_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.http_latency = Histogram(
            "peragus_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.ws_connections = Gauge(
            "peragus_websocket_connections", "Open WebSocket connections.", registry=registry
        )
        self.ws_messages = Counter(
            "peragus_websocket_messages",
            "WebSocket messages, by direction and event.",
            ["direction", "event"],
            registry=registry,
        )
        self.cell_runs = Counter(
            "peragus_cell_runs",
            "Cell runs finished, by outcome.",
            ["outcome"],
            registry=registry,
        )
        self.cell_duration = Histogram(
            "peragus_cell_run_duration_seconds",
            "How long cell runs took, by outcome.",
            ["outcome"],
            buckets=_RUN_BUCKETS,
            registry=registry,
        )
        self.running_cells = Gauge("peragus_running_cells", "Cells running now.", registry=registry)
        self.tsservers = Gauge(
            "peragus_tsserver_processes", "tsserver processes running now.", registry=registry
        )
        self.npm_installs = Counter(
            "peragus_npm_installs", "npm installs, by outcome.", ["outcome"], registry=registry
        )
        self.ai_calls = Counter(
            "peragus_ai_calls",
            "AI provider calls, by provider and outcome.",
            ["provider", "outcome"],
            registry=registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_label(scope: Scope) -> str:
    """The route's template (``/api/notebooks/{name}``), never the path a client sent."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if str(scope.get("path", "")).startswith("/assets/"):
        return "/assets/{file}"
    return "unmatched"


class HttpMetricsMiddleware:
    """Counts and times every HTTP request, refusals by the guards included; ``on_problem``
    hears each error reply's problem+json body (the status page's recent errors).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        on_problem: Callable[[int, bytes, str], None],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.on_problem = on_problem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        problem = bytearray()

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 400 and len(problem) < 8192:
                problem.extend(message.get("body", b"")[:8192])
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            route = route_label(scope)
            method = str(scope.get("method", ""))
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            self.metrics.http_latency.labels(method, route).observe(time.perf_counter() - started)
            if status >= 400:
                self.on_problem(status, bytes(problem), route)
