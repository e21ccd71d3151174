"""The outermost layer of every request: an id, security headers, an access log line, and the
catch-all that turns a crashing handler into a 500 problem+json while the service keeps serving.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundwork.logs import get_logger
from groundwork.service.config import ServiceConfig
from groundwork.service.problems import problem, problem_response

__all__ = ["REQUEST_ID_HEADER", "RequestContextMiddleware"]

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = get_logger("groundwork.service")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, config: ServiceConfig) -> None:
        self.app = app
        self.headers = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Content-Security-Policy": config.content_security_policy,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = self._incoming_id(scope) or uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception:
                log.exception("request failed", method=scope.get("method"), path=scope["path"])
                if scope["type"] == "http" and status == 0:
                    status = 500
                    error = problem(
                        500,
                        "GROUNDWORK_INTERNAL_ERROR",
                        "The service hit a bug while handling this request; it is still running.",
                        [
                            f"Quote request id {request_id} when reporting it;"
                            " the service log has the details."
                        ],
                    )
                    await problem_response(error, scope)(scope, receive, send_with_headers)
            finally:
                log.info(
                    "request",
                    method=scope.get("method", "WS"),
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )

    @staticmethod
    def _incoming_id(scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                return candidate if _SAFE_ID.match(candidate) else None
        return None
