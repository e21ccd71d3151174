"""``GET /api/v1/events``: prismd's live events as Server-Sent Events (see
:mod:`prism.daemon.events` for what each carries).

While someone listens, workstations in a passing state (pending, stopping...) are reconciled
with EC2 every few seconds, so "stopping" turns into "stopped" on the page without anyone
asking for the list. A team member hears only of their projects' workstations.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from groundwork.errors import ToolError
from groundwork.logs import get_logger
from prism.daemon.config import progress_ping_seconds
from prism.daemon.engine import Engine
from prism.daemon.events import NotificationEvent, WorkstationEvent
from prism.team.guard import Caller
from prism.workstations.model import WorkstationState

__all__ = ["router", "settle_seconds"]

router = APIRouter(prefix="/api/v1")
log = get_logger("prism.daemon")

_PASSING = frozenset(
    {WorkstationState.PENDING, WorkstationState.STOPPING, WorkstationState.DELETING}
)
_DESCRIPTION = (
    "Server-Sent Events, each named after its type: `workstation` (a WorkstationEvent: a record"
    " changed) and `notification` (a NotificationEvent). Each has an `id`; reconnect with"
    " `Last-Event-ID` to get what you missed (the last 512 are kept). Comments are keep-alive"
    " pings (PRISM_PROGRESS_PING_SECONDS apart)."
)


class EventStream(EventSourceResponse):
    media_type = "text/event-stream"


def settle_seconds() -> float:
    """How often workstations in a passing state are reconciled while the stream has readers
    (``PRISM_EVENTS_SETTLE_SECONDS``, default 3)."""
    raw = os.environ.get("PRISM_EVENTS_SETTLE_SECONDS", "").strip()
    try:
        return max(0.2, float(raw)) if raw else 3.0
    except ValueError:
        return 3.0


@router.get(
    "/events",
    response_class=EventStream,
    responses={
        200: {
            "model": WorkstationEvent | NotificationEvent,
            "description": _DESCRIPTION,
        }
    },
)
async def events(request: Request, last_event_id: int | None = Header(default=None)) -> EventStream:
    engine: Engine = request.app.state.engine
    allowed = _filter_for(request)
    stream = _events(request, engine, last_event_id, allowed)
    return EventStream(stream, ping=progress_ping_seconds(), headers={"Cache-Control": "no-store"})


def _filter_for(request: Request) -> Callable[[WorkstationEvent | NotificationEvent], bool]:
    """All events for prismd's operator; a member's projects' alone for a team member."""
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None or caller.operator:
        return lambda _: True
    team = request.app.state.team.team
    engine: Engine = request.app.state.engine

    def theirs(event: WorkstationEvent | NotificationEvent) -> bool:
        projects = set(team.projects_of(caller.name))
        if isinstance(event, WorkstationEvent):
            return event.workstation.project in projects
        note = event.notification
        if note.project is not None:
            return note.project in projects
        found = engine.store.get(note.workstation) if note.workstation else None
        return found is not None and found.project in projects

    return theirs


async def _events(
    request: Request,
    engine: Engine,
    after: int | None,
    allowed: Callable[[WorkstationEvent | NotificationEvent], bool],
) -> AsyncIterator[ServerSentEvent]:
    backlog, sub = engine.events.subscribe(asyncio.get_running_loop(), after)
    try:
        for kept in backlog:
            if allowed(kept):
                yield _sse(kept)
        while not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(sub.queue.get(), timeout=settle_seconds())
            except TimeoutError:
                await asyncio.to_thread(_settle, engine)
                continue
            if event is None:
                return  # too slow to keep up: the client reconnects with Last-Event-ID
            if allowed(event):
                yield _sse(event)
    finally:
        engine.events.unsubscribe(sub)


def _sse(event: WorkstationEvent | NotificationEvent) -> ServerSentEvent:
    return ServerSentEvent(event.model_dump_json(), event=event.type, id=str(event.id))


def _settle(engine: Engine) -> None:
    """Reconcile when a workstation is on its way somewhere; a saved change is published."""
    if any(ws.state in _PASSING for ws in engine.store.list()):
        try:
            engine.lifecycle.listing()
        except ToolError as exc:  # EC2 out of reach: the stream goes on, the next round retries
            log.warning("events: reconcile failed", error=exc.message)
