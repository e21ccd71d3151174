"""The server's observability, wired in: a span per HTTP request and WebSocket connection (W3C
``traceparent`` in and out, its ids on every log line), metrics, the status monitor and the
audit log, in one object the routes and the WebSocket share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundwork.logs import get_logger
from peragus.observability.audit import AuditLog, audit_log
from peragus.observability.metrics import Metrics, route_label
from peragus.observability.otlp import otlp_sink_from_environment
from peragus.observability.status import Monitor
from peragus.observability.tracing import Span, SpanContext, Tracer, parse_traceparent

__all__ = ["Observability", "TraceMiddleware", "span_of", "traced"]

log = get_logger("peragus.server")


@dataclass
class Observability:
    metrics: Metrics
    tracer: Tracer
    audit: AuditLog
    monitor: Monitor | None = field(default=None)

    @classmethod
    def create(cls, home: Path) -> Observability:
        return cls(Metrics(), Tracer(otlp_sink_from_environment()), audit_log(home))

    def error(self, code: str, message: str, where: str) -> None:
        if self.monitor is not None:
            self.monitor.error(code, message, where)

    def http_problem(self, status: int, body: bytes, route: str) -> None:
        if self.monitor is not None:
            self.monitor.http_problem(status, body, route)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


def span_of(scope: Scope) -> Span | None:
    span = scope.get("state", {}).get("span")
    return span if isinstance(span, Span) else None


def traced(span: Span | None) -> dict[str, Any]:
    """What a WebSocket event carries of its trace."""
    return {"traceparent": span.traceparent} if span is not None else {}


class TraceMiddleware:
    """A server span per request (a WebSocket connection is one long request), child of the
    caller's ``traceparent`` when it sends a valid one; the reply carries ours back.
    """

    def __init__(self, app: ASGIApp, *, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        parent: SpanContext | None = parse_traceparent(_header(scope, b"traceparent"))
        method = str(scope.get("method", "WS"))
        span = self.tracer.start(f"{method} {scope['path']}", parent, kind="server")
        scope.setdefault("state", {})["span"] = span
        status = 0

        async def send_with_trace(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["traceparent"] = span.traceparent
            elif message["type"] == "websocket.accept":
                headers = list(message.get("headers", []))
                headers.append((b"traceparent", span.traceparent.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(
            trace_id=span.trace_id, span_id=span.context.span_id
        ):
            error = None
            try:
                await self.app(scope, receive, send_with_trace)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                route = route_label(scope)
                span.name = f"{method} {route}"
                span.attributes.update(
                    {"http.request.method": method, "http.route": route, "url.path": scope["path"]}
                )
                if status:
                    span.attributes["http.response.status_code"] = status
                if error is None and status >= 500:
                    error = f"HTTP {status}"
                self.tracer.end(span, error=error)
