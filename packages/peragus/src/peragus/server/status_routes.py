"""`/metrics` for Prometheus, `/api/status` for the status page and `doctor --watch`, and the
alert thresholds in settings. All behind the token, like every route but `/healthz`.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from peragus.observability.metrics import CONTENT_TYPE
from peragus.observability.status import StatusResult
from peragus.server.observe import Observability, span_of
from peragus.server.websocket import Notebooks
from peragus.settings.store import AlertSettings

__all__ = ["router"]

router = APIRouter()


class PrometheusResponse(PlainTextResponse):
    media_type = CONTENT_TYPE


class AlertSettingsResult(BaseModel):
    alerts: AlertSettings


def _observability(request: Request) -> Observability:
    observability: Observability = request.app.state.observability
    return observability


@router.get(
    "/metrics",
    response_class=PrometheusResponse,
    responses={200: {"description": "Prometheus's text exposition format."}},
)
def metrics(request: Request) -> PrometheusResponse:
    notebooks: Notebooks = request.app.state.notebooks
    observability = _observability(request)
    observability.metrics.tsservers.set(notebooks.language.count())
    return PrometheusResponse(observability.metrics.exposition())


@router.get("/api/status")
async def status(request: Request) -> StatusResult:
    monitor = _observability(request).monitor
    assert monitor is not None  # set at start-up, before any request
    return StatusResult(status=await asyncio.to_thread(monitor.view))


@router.get("/api/settings/alerts")
def get_alerts(request: Request) -> AlertSettingsResult:
    notebooks: Notebooks = request.app.state.notebooks
    return AlertSettingsResult(alerts=notebooks.settings.alerts())


@router.put("/api/settings/alerts")
def put_alerts(request: Request, body: AlertSettings) -> AlertSettingsResult:
    notebooks: Notebooks = request.app.state.notebooks
    notebooks.settings.set_alerts(body)
    span = span_of(request.scope)
    _observability(request).audit.record(
        "settings.alerts",
        via="api",
        trace_id=span.trace_id if span else None,
        **{k: str(v) for k, v in body.model_dump().items()},
    )
    return AlertSettingsResult(alerts=body)
