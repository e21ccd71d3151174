"""W3C trace context: a ``traceparent`` accepted and returned on every HTTP request, carried into
WebSocket events and cell runs, and bound to every log line; spans exported over OTLP when
``OTEL_EXPORTER_OTLP_ENDPOINT`` is set and the extra ``peragus[otel]`` is installed.

The ids are ours either way (so a log line, a response header and a cell's environment agree
without the SDK); with export on, each finished span is handed to the SDK with those same ids.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Span", "SpanContext", "SpanSink", "Tracer", "parse_traceparent"]

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class SpanContext:
    trace_id: str
    span_id: str
    sampled: bool = True

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"


def parse_traceparent(value: str | None) -> SpanContext | None:
    """The caller's context, or None for a missing or malformed header (a new trace starts)."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip().lower())
    if match is None or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
        return None
    return SpanContext(match.group(1), match.group(2), int(match.group(3), 16) & 1 == 1)


@dataclass
class Span:
    name: str
    context: SpanContext
    parent: SpanContext | None
    kind: str = "internal"
    attributes: dict[str, Any] = field(default_factory=dict)
    start_ns: int = field(default_factory=time.time_ns)
    end_ns: int | None = None
    error: str | None = None

    @property
    def trace_id(self) -> str:
        return self.context.trace_id

    @property
    def traceparent(self) -> str:
        return self.context.traceparent


class SpanSink(Protocol):
    def export(self, span: Span) -> None: ...

    def shutdown(self) -> None: ...


class Tracer:
    """Makes spans; hands finished ones to ``sink`` (OTLP) when there is one."""

    def __init__(self, sink: SpanSink | None = None) -> None:
        self.sink = sink

    def start(
        self,
        name: str,
        parent: SpanContext | None = None,
        *,
        kind: str = "internal",
        attributes: dict[str, Any] | None = None,
    ) -> Span:
        trace_id = parent.trace_id if parent else secrets.token_hex(16)
        sampled = parent.sampled if parent else True
        context = SpanContext(trace_id, secrets.token_hex(8), sampled)
        return Span(name, context, parent, kind, dict(attributes or {}))

    def end(self, span: Span, *, error: str | None = None) -> None:
        span.end_ns = time.time_ns()
        span.error = error or span.error
        if self.sink is not None and span.context.sampled:
            self.sink.export(span)

    @contextlib.contextmanager
    def span(
        self, name: str, parent: SpanContext | None = None, **attributes: Any
    ) -> Iterator[Span]:
        span = self.start(name, parent, attributes=attributes)
        try:
            yield span
        except Exception as exc:
            self.end(span, error=f"{type(exc).__name__}: {exc}")
            raise
        self.end(span)

    def shutdown(self) -> None:
        if self.sink is not None:
            self.sink.shutdown()
