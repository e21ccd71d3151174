"""A processed batch sent as OTLP/HTTP JSON, so the agent can feed a collector or a backend
directly instead of waiting to be scraped.

The request is an `ExportMetricsServiceRequest` in the protobuf JSON mapping that OTLP/HTTP
accepts: 64-bit integers (`intValue`, `asInt`, the `*UnixNano` times) are strings, enums are
numbers. Each process is its own resource, as the hostmetrics process scraper makes it, so a
backend keys series on the same attributes the Prometheus exposition uses as labels.

Delivery follows the OTLP/HTTP retry rules: 429, 502, 503 and 504 and transport failures are
retried with jittered backoff, waiting for `Retry-After` when the server names a time. The whole
export has a deadline, because the next scrape is due: a batch that cannot be delivered in time
is counted as a failure and dropped, never queued, so a dead endpoint costs no memory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import httpx
import tenacity

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import get_logger, redactor
from phoenix import __version__
from phoenix.collector.model import METRIC_SERIES, ProcessBatch

__all__ = ["OtlpExporter", "export_request", "parse_headers"]

log = get_logger("phoenix.agent.otlp")

_CUMULATIVE = 2
"""AGGREGATION_TEMPORALITY_CUMULATIVE: the counters are totals since each process started."""


class _Shape(NamedTuple):
    unit: str
    is_sum: bool
    is_double: bool


_METRICS = {
    "process.cpu.time": _Shape("s", is_sum=True, is_double=True),
    "process.memory.usage": _Shape("By", is_sum=False, is_double=False),
    "process.memory.virtual": _Shape("By", is_sum=False, is_double=False),
    "process.disk.io": _Shape("By", is_sum=True, is_double=False),
    "process.threads": _Shape("{threads}", is_sum=False, is_double=False),
    "process.open_file_descriptors": _Shape("{count}", is_sum=False, is_double=False),
}
"""Types and units as the hostmetrics process scraper exports them, so dashboards built for the
collector's data work on the agent's."""

_SERIES_BY_METRIC = {
    metric: [i for i, (name, _) in enumerate(METRIC_SERIES) if name == metric]
    for metric, _ in METRIC_SERIES
}

_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_ATTEMPTS = 5
_REQUEST_TIMEOUT_SECONDS = 10.0


def _any_value(value: object) -> dict[str, Any]:
    # bool first: it is an int to Python but a boolValue to OTLP.
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def _key_values(pairs: Iterable[tuple[str, object]]) -> list[dict[str, Any]]:
    return [{"key": key, "value": _any_value(value)} for key, value in pairs]


def _nanos(seconds: float) -> str:
    return str(int(seconds * 1_000_000_000))


def export_request(batch: ProcessBatch) -> dict[str, Any]:
    """Every series of every row the pipeline kept: what the backend receives must be what
    `phoenix_pipeline_output_series` reports, or the cost figures would not hold."""
    now = _nanos(batch.timestamp)
    resource_metrics: list[dict[str, Any]] = []
    for index in range(len(batch)):
        values = batch.series_values(index)
        # A rollup row has no creation time; its start is then unknown, which OTLP allows.
        created = batch.create_time[index]
        start = {"startTimeUnixNano": _nanos(created)} if 0 < created <= batch.timestamp else {}
        metrics: list[dict[str, Any]] = []
        for metric, positions in _SERIES_BY_METRIC.items():
            shape = _METRICS[metric]
            points = []
            for position in positions:
                value = values[position]
                point: dict[str, Any] = {
                    "attributes": _key_values(METRIC_SERIES[position][1].items()),
                    "timeUnixNano": now,
                }
                if shape.is_double:
                    point["asDouble"] = float(value)
                else:
                    point["asInt"] = str(int(value))
                if shape.is_sum:
                    point.update(start)
                points.append(point)
            data: dict[str, Any] = {"dataPoints": points}
            if shape.is_sum:
                data |= {"aggregationTemporality": _CUMULATIVE, "isMonotonic": True}
            kind = "sum" if shape.is_sum else "gauge"
            metrics.append({"name": metric, "unit": shape.unit, kind: data})
        resource_metrics.append(
            {
                "resource": {"attributes": _key_values(batch.resource_attributes(index).items())},
                "scopeMetrics": [
                    {"scope": {"name": "phoenix", "version": __version__}, "metrics": metrics}
                ],
            }
        )
    return {"resourceMetrics": resource_metrics}


def parse_headers(pairs: Iterable[str]) -> dict[str, str]:
    """`k=v` pairs from the command line; the value may itself hold `=` (base64 tokens do)."""
    headers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ToolError(
                "PHOENIX_OTLP_HEADER_INVALID",
                f"--otlp-header {pair!r} is not a key=value pair.",
                suggestions=["Write it as --otlp-header 'Authorization=Bearer TOKEN'."],
                exit_code=ExitCode.USAGE,
            )
        headers[key.strip()] = value.strip()
    return headers


class _RetryableReply(Exception):
    """A status the OTLP spec says a client should try again after, with the server's wait."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait; HTTP lets a server give them as a number or as a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, _RetryableReply | httpx.TransportError)


class OtlpExporter:
    """Posts batches to `<endpoint>/v1/metrics` and keeps the counts the agent exposes.

    Failures are logged and counted, not raised: the agent's job is the next scrape, and an
    unreachable backend must not stop /metrics from being served.
    """

    def __init__(
        self,
        endpoint: str,
        headers: Mapping[str, str] | None = None,
        *,
        deadline_seconds: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``sleep`` waits between attempts; tests pass one that records the waits asked for."""
        try:
            url: httpx.URL | None = httpx.URL(endpoint.rstrip("/") + "/v1/metrics")
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise ToolError(
                "PHOENIX_OTLP_ENDPOINT_INVALID",
                f"The OTLP endpoint {endpoint!r} is not an http(s) URL.",
                suggestions=["Give the collector's base URL, e.g. http://127.0.0.1:4318."],
                exit_code=ExitCode.USAGE,
            )
        headers = dict(headers or {})
        # Header values are usually credentials; logs of a failed export must not show them.
        redactor.add(*headers.values())
        self.url = str(url)
        self.failures = 0
        self.exported_datapoints = 0
        self._client = httpx.Client(
            timeout=_REQUEST_TIMEOUT_SECONDS,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": f"phoenix-agent/{__version__}",
            },
        )
        self._deadline_seconds = deadline_seconds
        self._sleep = sleep
        # Full jitter, so agents on many hosts that lost the same backend don't retry in step.
        self._backoff = tenacity.wait_random_exponential(multiplier=0.2, max=5.0)

    def export(self, batch: ProcessBatch) -> bool:
        body = json.dumps(export_request(batch), separators=(",", ":")).encode()
        points = batch.series_count
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(_ATTEMPTS)
            # Stops before a wait (Retry-After included) that would end past the deadline.
            | tenacity.stop_before_delay(self._deadline_seconds),
            wait=self._wait,
            retry=tenacity.retry_if_exception(_is_retryable),
            before_sleep=self._log_retry,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response = retrying(self._post, body)
        except (httpx.HTTPError, _RetryableReply) as exc:
            self.failures += 1
            log.warning(
                "OTLP export failed",
                url=self.url,
                datapoints=points,
                attempts=retrying.statistics.get("attempt_number"),
                error=str(exc) or type(exc).__name__,
            )
            return False
        rejected = _rejected_points(response)
        if rejected:
            log.warning("OTLP export partly rejected", url=self.url, rejected=rejected)
        self.exported_datapoints += points - rejected
        return True

    def close(self) -> None:
        self._client.close()

    def _post(self, body: bytes) -> httpx.Response:
        response = self._client.post(self.url, content=body)
        if response.status_code in _RETRYABLE_STATUSES:
            raise _RetryableReply(
                response.status_code, _retry_after(response.headers.get("Retry-After"))
            )
        response.raise_for_status()
        return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableReply) and exc.retry_after is not None:
            return exc.retry_after
        return float(self._backoff(state))

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info(
            "retrying OTLP export",
            url=self.url,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=str(exc) or type(exc).__name__,
        )


def _rejected_points(response: httpx.Response) -> int:
    """Datapoints a 200 reply says it dropped (`partialSuccess`), so the count stays honest."""
    if "json" not in response.headers.get("Content-Type", ""):
        return 0
    try:
        body = response.json()
    except ValueError:
        return 0
    partial = body.get("partialSuccess") if isinstance(body, dict) else None
    if not isinstance(partial, dict):
        return 0
    try:
        return max(0, int(partial.get("rejectedDataPoints") or 0))
    except (TypeError, ValueError):
        return 0
