"""prismd's live events: what changed, pushed to the dashboard and the TUI as it happens.

Two kinds, each a typed model sent as one Server-Sent Event named after its ``type``:

- ``workstation``: a workstation's record was saved (a launch's steps, stop, start, an idle
  action, a reconcile that saw EC2 move it on), with the whole record and its previous state;
- ``notification``: something a person should hear of (a launch finished or failed, an idle
  warning or action, a budget alert or action), as :class:`prism.records.Event`.

Every event has an ``id`` that grows by one; the bus keeps the last few hundred, so a client that
reconnects with ``Last-Event-ID`` misses nothing in between. Publishing is thread-safe (launch
workers and the background checks publish); each subscriber reads from its own queue on the
event loop it subscribed from.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from prism.clock import Clock
from prism.records import Event
from prism.workstations.model import Workstation, WorkstationState

__all__ = [
    "DaemonEvent",
    "EventBus",
    "NotificationEvent",
    "Subscription",
    "WorkstationEvent",
]

KEEP = 512
_QUEUE_SIZE = 1024


class WorkstationEvent(BaseModel):
    """A workstation's record changed."""

    type: Literal["workstation"] = "workstation"
    id: int = Field(default=0, description="Grows by one per event; send it as Last-Event-ID.")
    at: datetime
    previous_state: WorkstationState | None = Field(
        description="Its state before this change; null for a new workstation."
    )
    workstation: Workstation


class NotificationEvent(BaseModel):
    """Something a person should hear of, in words."""

    type: Literal["notification"] = "notification"
    id: int = 0
    at: datetime
    notification: Event = Field(
        description="kind: launch-finished, launch-failed, idle-warning, idle-action,"
        " budget-alert, budget-action or launch-refused"
    )


DaemonEvent = Annotated[WorkstationEvent | NotificationEvent, Field(discriminator="type")]


@dataclass(eq=False)
class Subscription:
    """One reader of the stream: its queue, and the loop that reads it."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[WorkstationEvent | NotificationEvent | None] = field(
        default_factory=lambda: asyncio.Queue(_QUEUE_SIZE)
    )

    def offer(self, event: WorkstationEvent | NotificationEvent | None) -> None:
        """On the subscriber's loop: a reader too slow to keep up is ended (None), and catches
        up by reconnecting with Last-Event-ID."""
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class EventBus:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._recent: deque[WorkstationEvent | NotificationEvent] = deque(maxlen=KEEP)
        self._last_id = 0
        self._subscribers: set[Subscription] = set()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def workstation_saved(self, ws: Workstation, previous: WorkstationState | None) -> None:
        self._publish(
            WorkstationEvent(at=self.clock.now(), previous_state=previous, workstation=ws)
        )

    def notified(self, event: Event) -> None:
        self._publish(NotificationEvent(at=event.at, notification=event))

    def notify(
        self, kind: str, text: str, *, workstation: str | None = None, project: str | None = None
    ) -> None:
        """A notification for the live stream alone (not kept in prism.db, no notice for the
        next command): a launch's end, which the person who launched already watched."""
        at = self.clock.now()
        self.notified(Event(at=at, kind=kind, text=text, workstation=workstation, project=project))

    def _publish(self, event: WorkstationEvent | NotificationEvent) -> None:
        with self._lock:
            self._last_id += 1
            event.id = self._last_id
            self._recent.append(event)
            subscribers = list(self._subscribers)
        for sub in subscribers:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, event)
            except RuntimeError:  # its loop has closed: the reader is gone
                self.unsubscribe(sub)

    def subscribe(
        self, loop: asyncio.AbstractEventLoop, after: int | None = None
    ) -> tuple[list[WorkstationEvent | NotificationEvent], Subscription]:
        """A new reader, and the kept events after ``after`` (none when None): taken under one
        lock, so nothing falls between the backlog and the live queue."""
        sub = Subscription(loop)
        with self._lock:
            backlog = [e for e in self._recent if after is not None and e.id > after]
            self._subscribers.add(sub)
        return backlog, sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(sub)
