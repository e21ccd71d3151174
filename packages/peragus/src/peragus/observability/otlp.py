"""Span export over OTLP/HTTP through the OpenTelemetry SDK (the extra ``peragus[otel]``).

The SDK reads its own settings from the environment (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_SERVICE_NAME``...); peragus only turns our finished spans
into the SDK's and hands them to its batch processor, which exports off the request path.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from groundwork.errors import ExitCode, ToolError
from peragus import __version__

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from peragus.observability.tracing import Span

__all__ = ["ENDPOINT_ENV", "OtlpSink", "otlp_sink_from_environment"]

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
_KINDS = {"server": 1, "client": 2, "internal": 0}


class OtlpSink:
    def __init__(self, processor: BatchSpanProcessor) -> None:
        from opentelemetry.sdk.resources import Resource

        self._processor = processor
        self._resource = Resource.create(
            {
                "service.name": os.environ.get("OTEL_SERVICE_NAME", "peragus"),
                "service.version": __version__,
            }
        )

    def export(self, span: Span) -> None:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import ReadableSpan
        from opentelemetry.trace.status import Status, StatusCode

        def context(trace_id: str, span_id: str, remote: bool) -> trace.SpanContext:
            flags = trace.TraceFlags(trace.TraceFlags.SAMPLED)
            return trace.SpanContext(int(trace_id, 16), int(span_id, 16), remote, flags)

        parent = span.parent
        readable = ReadableSpan(
            name=span.name,
            context=context(span.context.trace_id, span.context.span_id, remote=False),
            parent=context(parent.trace_id, parent.span_id, remote=True) if parent else None,
            resource=self._resource,
            attributes={k: v for k, v in span.attributes.items() if v is not None},
            kind=trace.SpanKind(_KINDS.get(span.kind, 0)),
            status=Status(StatusCode.ERROR, span.error) if span.error else Status(StatusCode.OK),
            start_time=span.start_ns,
            end_time=span.end_ns,
        )
        self._processor.on_end(readable)

    def shutdown(self) -> None:
        self._processor.shutdown()  # type: ignore[no-untyped-call]  # flushes what is queued


def otlp_sink_from_environment() -> OtlpSink | None:
    """A sink when the endpoint is set; an error naming the extra when the SDK is missing."""
    if not os.environ.get(ENDPOINT_ENV, "").strip():
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise ToolError(
            "PERAGUS_OTEL_MISSING",
            f"{ENDPOINT_ENV} is set, but the OpenTelemetry SDK is not installed, so no span"
            " could be exported.",
            suggestions=[
                "Install peragus with its extra: pip install 'peragus[otel]'"
                " (or uv sync --extra otel).",
                f"Or unset {ENDPOINT_ENV}.",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    return OtlpSink(BatchSpanProcessor(OTLPSpanExporter(), schedule_delay_millis=500))
