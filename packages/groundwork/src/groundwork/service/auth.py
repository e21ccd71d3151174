"""Who may call a service: the holder of its token.

The token is generated at first start and kept 0600 in the state folder, so only the user who
runs the service can read it. Scripts send it as ``Authorization: Bearer``. Browsers get it as an
HttpOnly cookie: the service prints a URL with a one-time login ticket, and ``/login`` trades the
ticket for the cookie, so the token itself never sits in browser history.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from groundwork.service.config import ServiceConfig
from groundwork.service.problems import problem, problem_response
from groundwork.state.atomic import atomic_write_text

__all__ = ["AuthMiddleware", "LoginTickets", "cookie_name", "load_or_create_token"]


def load_or_create_token(path: Path) -> str:
    """The service's token; created 0600 on first start and kept across restarts.

    A new token is linked into place only if there is none yet, so two processes starting at
    once agree on one token instead of each overwriting the other's.
    """
    if path.exists():
        path.chmod(0o600)
        token = path.read_text(encoding="utf-8").strip()
        if len(token) >= 32:
            return token
        path.unlink(missing_ok=True)  # too short to be ours: replace it
    token = secrets.token_urlsafe(32)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    atomic_write_text(draft, token + "\n", private=True)
    try:
        os.link(draft, path)
    except FileExistsError:
        token = path.read_text(encoding="utf-8").strip()
    finally:
        draft.unlink()
    return token


def cookie_name(config: ServiceConfig) -> str:
    return f"{config.service_name}_session"


class LoginTickets:
    """Single-use tickets for the login URL, valid for a few minutes."""

    def __init__(self, ttl_seconds: float = 300.0) -> None:
        self._ttl = ttl_seconds
        self._tickets: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tickets = {t: exp for t, exp in self._tickets.items() if exp > now}
            self._tickets[ticket] = now + self._ttl
        return ticket

    def redeem(self, ticket: str) -> bool:
        with self._lock:
            expires = self._tickets.pop(ticket, None)
        return expires is not None and expires > time.monotonic()


class AuthMiddleware:
    """Rejects any request to a non-public path that lacks the token (401, problem+json)."""

    def __init__(self, app: ASGIApp, *, config: ServiceConfig, token: str) -> None:
        self.app = app
        self.config = config
        self.token = token.encode()
        self.cookie = cookie_name(config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._public(scope["path"]):
            await self.app(scope, receive, send)
            return
        presented = self._presented(scope)
        if presented is not None and hmac.compare_digest(presented.encode(), self.token):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401, "reason": "token required"})
            return
        error = problem(
            401,
            "GROUNDWORK_AUTH_REQUIRED",
            "This service needs its token." if presented is None else "The token is not valid.",
            [
                f"Send 'Authorization: Bearer <token>' with the token in {self.config.token_file}.",
                "In a browser, open the login URL the service printed at start.",
            ],
        )
        headers = {"WWW-Authenticate": 'Bearer realm="' + self.config.service_name + '"'}
        await problem_response(error, scope, headers=headers)(scope, receive, send)

    def _public(self, path: str) -> bool:
        return path in self.config.public_paths or any(
            path.startswith(prefix) for prefix in self.config.public_prefixes
        )

    def _presented(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                text: str = value.decode("latin-1")
                scheme, _, credential = text.partition(" ")
                if scheme.lower() == "bearer" and credential:
                    return credential.strip()
            elif name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001, S112 - a malformed cookie is simply absent
                    continue
                morsel = jar.get(self.cookie)
                if morsel is not None:
                    return str(morsel.value)
        return None
