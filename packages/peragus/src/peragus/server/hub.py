"""Who hears what: WebSocket connections, the topics they subscribe to, and their send queues.

Each connection has a bounded queue drained by its own writer task. A publisher waits for room in
the queue, so a cell flooding its output is slowed to the pace of the slowest reader (its pipe
fills and node blocks) instead of growing memory; a reader stuck for longer than
``STALL_SECONDS`` is disconnected, and its client reconnects and resubscribes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

if TYPE_CHECKING:
    from peragus.observability.tracing import Span

__all__ = ["Connection", "Hub"]

QUEUE_SIZE = 256
STALL_SECONDS = 10.0


def _uncounted(_event: str) -> None:
    """For connections nobody counts (the hub's own tests)."""


class Connection:
    def __init__(self, websocket: WebSocket, on_send: Callable[[str], None] = _uncounted) -> None:
        self.websocket = websocket
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.topics: set[str] = set()
        self.closed = False
        self.on_send = on_send
        self.span: Span | None = None
        """The connection's trace (its handshake's span), carried into what it starts."""

    async def send(self, topic: str, event: str, payload: dict[str, Any]) -> None:
        if self.closed:
            return
        self.on_send(event)
        try:
            await asyncio.wait_for(
                self.queue.put(json.dumps([topic, event, payload])), STALL_SECONDS
            )
        except TimeoutError:
            await self.close(1013, "too slow to keep up")

    async def writer(self) -> None:
        """Drains the queue in order; ends when the connection closes."""
        while (text := await self.queue.get()) is not None:
            try:
                await self.websocket.send_text(text)
            except Exception:  # noqa: BLE001 - any send failure means the peer is gone
                self.closed = True
                return

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            await self.websocket.close(code, reason)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._topics: dict[str, set[Connection]] = defaultdict(set)

    def subscribe(self, connection: Connection, topic: str) -> None:
        self._topics[topic].add(connection)
        connection.topics.add(topic)

    def unsubscribe(self, connection: Connection, topic: str | None = None) -> None:
        for name in [topic] if topic else list(connection.topics):
            self._topics[name].discard(connection)
            connection.topics.discard(name)

    def subscribers(self, topic: str) -> int:
        return len(self._topics.get(topic, ()))

    async def publish(self, topic: str, event: str, payload: dict[str, Any]) -> None:
        for connection in list(self._topics.get(topic, ())):
            await connection.send(topic, event, payload)

    def publish_from_thread(self, topic: str, event: str, payload: dict[str, Any]) -> None:
        """For cell and install threads: blocks while subscribers' queues are full."""
        if not self._topics.get(topic):
            return
        future = asyncio.run_coroutine_threadsafe(self.publish(topic, event, payload), self.loop)
        with contextlib.suppress(FutureTimeout):
            future.result(timeout=STALL_SECONDS + 5)
