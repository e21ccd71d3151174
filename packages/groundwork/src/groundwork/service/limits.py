"""Guards between the network and the handlers: where a request may come from, how often, how
big, and how many at once. Each answers problem+json with the status a client can act on.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundwork.service.config import ServiceConfig
from groundwork.service.problems import problem, problem_response

__all__ = [
    "BodyLimitMiddleware",
    "BodyTooLarge",
    "ConcurrencyMiddleware",
    "OriginMiddleware",
    "RateLimitMiddleware",
]

_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class OriginMiddleware:
    """Stops DNS rebinding (a foreign Host) and cross-site requests (a foreign Origin): a web page
    on another site must not drive a local daemon with the user's cookie.
    """

    def __init__(self, app: ASGIApp, *, config: ServiceConfig) -> None:
        self.app = app
        self.hosts = {*_LOOPBACK_NAMES, config.host}
        self.extra_origins = set(config.extra_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host") or ""
        origin = _header(scope, b"origin")
        reason = None
        if (urlsplit(f"//{host}").hostname or "") not in self.hosts:
            reason = f"the Host header {host!r} is not this machine"
        elif origin is not None and origin not in self.extra_origins:
            parts = urlsplit(origin)
            if parts.netloc != host or parts.scheme not in ("http", "https"):
                reason = f"requests from {origin!r} are not allowed"
        if reason is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4403, "reason": "origin not allowed"})
            return
        error = problem(
            403,
            "GROUNDWORK_ORIGIN_REJECTED",
            f"Refused: {reason}.",
            ["Call the service from this machine, at the address it printed at start."],
        )
        await problem_response(error, scope)(scope, receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimitMiddleware:
    """A token bucket per client: bursts up to ``rate_burst``, then ``rate_per_second``.

    A bucket that has refilled is the same as no bucket, so refilled ones are dropped once the
    table reaches ``rate_clients``: a client cycling through source addresses cannot grow it
    without bound.
    """

    def __init__(self, app: ASGIApp, *, config: ServiceConfig) -> None:
        self.app = app
        self.rate = config.rate_per_second
        self.burst = float(config.rate_burst)
        self.max_clients = config.rate_clients
        self.buckets: dict[str, _Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "local"
        now = time.monotonic()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_clients:
                self._evict(now)
            bucket = self.buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil((1 - bucket.tokens) / self.rate))
        error = problem(
            429,
            "GROUNDWORK_RATE_LIMITED",
            f"Too many requests: the limit is {self.rate:g} per second"
            f" after a burst of {self.burst:g}.",
            [f"Wait {retry_after} s (the Retry-After header) and send it again."],
            transient=True,
        )
        headers = {"Retry-After": str(retry_after)}
        await problem_response(error, scope, headers=headers)(scope, receive, send)

    def _evict(self, now: float) -> None:
        """Drop the buckets that have refilled; if none has, the one idle the longest."""
        refill_seconds = self.burst / self.rate
        idle = [k for k, b in self.buckets.items() if now - b.updated >= refill_seconds]
        for key in idle:
            del self.buckets[key]
        if not idle:
            del self.buckets[min(self.buckets, key=lambda k: self.buckets[k].updated)]


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so FastAPI's body parsing passes it
    through rather than calling it a parse error.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")
        self.limit = limit


class BodyLimitMiddleware:
    """Caps request bodies, whether the size is announced (Content-Length) or streamed (chunked)."""

    def __init__(self, app: ASGIApp, *, config: ServiceConfig) -> None:
        self.app = app
        self.limit = config.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = problem(
            413,
            "GROUNDWORK_BODY_TOO_LARGE",
            f"The request body is larger than this service accepts ({self.limit} bytes).",
            ["Send less data in one request, or split it into several."],
        )
        await problem_response(error, scope, headers={"Connection": "close"})(scope, receive, send)


class ConcurrencyMiddleware:
    """At most ``max_concurrent`` requests run; up to ``max_queued`` wait; the rest get 503, so a
    flood degrades into quick refusals instead of a service that stops answering.
    """

    def __init__(self, app: ASGIApp, *, config: ServiceConfig) -> None:
        self.app = app
        self.config = config
        self.running = 0
        self.waiting = 0
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.config.max_concurrent)
        slots = self._slots
        if not slots.locked():
            await slots.acquire()
        elif self.waiting >= self.config.max_queued:
            await self._refuse(scope, receive, send, "the queue is full")
            return
        else:
            self.waiting += 1
            try:
                await asyncio.wait_for(slots.acquire(), self.config.queue_timeout_seconds)
            except TimeoutError:
                await self._refuse(scope, receive, send, "it waited too long in the queue")
                return
            finally:
                self.waiting -= 1
        self.running += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running -= 1
            slots.release()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, why: str) -> None:
        error = problem(
            503,
            "GROUNDWORK_BUSY",
            f"The service is busy: {why}.",
            ["Wait a moment (the Retry-After header says how long) and try again."],
            context={"running": self.running, "waiting": self.waiting},
            transient=True,
        )
        await problem_response(error, scope, headers={"Retry-After": "1"})(scope, receive, send)
