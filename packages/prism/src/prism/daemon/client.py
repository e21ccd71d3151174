"""The CLI's side of prismd: find it (starting it when it is not running), call it, and turn
its problems into errors.

Plain calls use the standard library's http.client: one request to a daemon on loopback needs
nothing more, and importing httpx would add ~60 ms to every command. The one long-lived call,
a launch's progress stream, uses httpx and httpx-sse (:meth:`DaemonClient.events`); the TUI
follows prismd's live events on its event loop (:meth:`DaemonClient.aevents`).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from groundwork.errors import ExitCode, ToolError
from groundwork.service import ServiceInfo, read_service_info
from prism import __version__
from prism.daemon.config import daemon_config

if TYPE_CHECKING:
    import ssl

    from httpx_sse import ServerSentEvent
    from pydantic import BaseModel

    from prism.team.remote import Remote

__all__ = ["DaemonClient"]

M = TypeVar("M", bound="BaseModel")

CALL_TIMEOUT_SECONDS = 120.0
PROBLEM_JSON = "application/problem+json"


class DaemonClient:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.config = daemon_config(home)
        self._running: ServiceInfo | None = None
        self.remote = _remote(home)

    def info(self) -> ServiceInfo | None:
        """Where the daemon runs now, or None; never starts it."""
        return read_service_info(self.config)

    def ensure_running(self) -> ServiceInfo:
        if self._running is None and self.remote is not None:
            self._running = _remote_info(self.remote)
        if self._running is None:
            info = self.info() or self.start()
            if info.version != __version__:
                raise ToolError(
                    "PRISM_DAEMON_VERSION_MISMATCH",
                    f"prismd {info.version} is running (pid {info.pid}), but this is prism"
                    f" {__version__}: they would not understand each other.",
                    suggestions=[
                        "Restart it as this version: prism daemon stop && prism daemon start"
                    ],
                    exit_code=ExitCode.CONFLICT,
                )
            self._running = info
        return self._running

    def start(self) -> ServiceInfo:
        from prism.daemon.spawn import start_daemon  # deferred: only a cold start needs it

        self._running = start_daemon(self.home, self.config)
        return self._running

    def forget(self) -> None:
        """Find the daemon afresh on the next call: it may have restarted on another port."""
        self._running = None

    def call(
        self,
        method: str,
        path: str,
        reply: type[M],
        *,
        body: Mapping[str, object] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> M:
        """One request; the answer read as ``reply``, or raised as the daemon's ToolError."""
        info = self.ensure_running()
        query = f"?{urlencode(params)}" if params else ""
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = self._connection(info)
        try:
            connection.request(method, path + query, body=payload, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise unreachable(exc) from exc
        finally:
            connection.close()
        _raise_for_problem(response.status, response.getheader("Content-Type") or "", content)
        try:
            return reply.model_validate_json(content)
        except ValueError as exc:  # pydantic's ValidationError: a reply of another version
            raise ToolError(
                "PRISM_DAEMON_REPLY_INVALID",
                f"prismd's answer to {method} {path} is not what this prism reads: {exc}",
                suggestions=[
                    "Restart prismd as this version: prism daemon stop && prism daemon start"
                ],
            ) from exc

    def events(self, path: str, *, read_timeout: float) -> Iterator[ServerSentEvent]:
        """A Server-Sent Events stream, event by event as they arrive. The daemon's keep-alive
        pings hold the connection open without being events; silence longer than
        ``read_timeout`` raises httpx's ReadTimeout.
        """
        import httpx
        from httpx_sse import connect_sse

        info = self.ensure_running()
        headers = {"Authorization": f"Bearer {self._token()}"}
        timeout = httpx.Timeout(read_timeout, connect=5.0)
        verify = self._tls(info) or True
        with (
            httpx.Client(
                base_url=info.url, headers=headers, timeout=timeout, verify=verify
            ) as http,
            connect_sse(http, "GET", path) as source,
        ):
            response = source.response
            if response.status_code >= 400:
                response.read()
                _raise_for_problem(
                    response.status_code, response.headers.get("content-type", ""), response.content
                )
            yield from source.iter_sse()

    async def aevents(self, path: str, *, read_timeout: float) -> AsyncIterator[ServerSentEvent]:
        """:meth:`events` for an event loop: a reader cancelled with its task (the TUI's) closes
        the connection at once, where a thread blocked in a read would hold its loop's exit.
        """
        import asyncio

        import httpx
        from httpx_sse import aconnect_sse

        info = await asyncio.to_thread(self.ensure_running)
        headers = {"Authorization": f"Bearer {self._token()}"}
        timeout = httpx.Timeout(read_timeout, connect=5.0)
        verify = self._tls(info) or True
        async with (
            httpx.AsyncClient(
                base_url=info.url, headers=headers, timeout=timeout, verify=verify
            ) as http,
            aconnect_sse(http, "GET", path) as source,
        ):
            response = source.response
            if response.status_code >= 400:
                await response.aread()
                _raise_for_problem(
                    response.status_code, response.headers.get("content-type", ""), response.content
                )
            async for event in source.aiter_sse():
                yield event

    def _connection(self, info: ServiceInfo) -> http.client.HTTPConnection:
        context = self._tls(info)
        if context is None:
            return http.client.HTTPConnection(info.host, info.port, timeout=CALL_TIMEOUT_SECONDS)
        return http.client.HTTPSConnection(
            info.host, info.port, timeout=CALL_TIMEOUT_SECONDS, context=context
        )

    def _tls(self, info: ServiceInfo) -> ssl.SSLContext | None:
        """A shared prismd's pinned certificate; None for plain HTTP on loopback."""
        if not info.url.startswith("https:"):
            return None
        from prism.team.remote import pinned_context
        from prism.team.tls import certificate_of

        pem = self.remote.certificate if self.remote is not None else certificate_of(self.home)
        if not pem:
            raise ToolError(
                "PRISM_TLS_CERTIFICATE_MISSING",
                f"prismd at {info.url} speaks TLS, but no certificate to trust it by is known.",
                suggestions=["Join it again with the command you were given (prism team join)."],
                exit_code=ExitCode.UNAVAILABLE,
            )
        return pinned_context(pem)

    def _token(self) -> str:
        if self.remote is not None:
            return self.remote.token
        try:
            return self.config.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise unreachable(exc) from exc


def _remote(home: Path) -> Remote | None:
    if not (home / "remote.json").exists():
        return None
    from prism.team.remote import load_remote  # deferred: only a team member's CLI has one

    return load_remote(home)


def _remote_info(remote: Remote) -> ServiceInfo:
    from urllib.parse import urlsplit

    parts = urlsplit(remote.url)
    default = 443 if parts.scheme == "https" else 80
    return ServiceInfo(
        pid=0,
        host=parts.hostname or "",
        port=parts.port or default,
        url=remote.url,
        version=__version__,
        started_at="",
    )


def unreachable(exc: BaseException) -> ToolError:
    return ToolError(
        "PRISM_DAEMON_UNREACHABLE",
        f"Could not talk to the prism daemon: {exc}.",
        suggestions=["Check it: prism daemon status", "Restart it: prism daemon start"],
        exit_code=ExitCode.UNAVAILABLE,
        transient=True,
    )


def _raise_for_problem(status: int, content_type: str, content: bytes) -> None:
    if content_type.startswith(PROBLEM_JSON):
        raise ToolError.from_problem(json.loads(content))
    if status >= 400:
        raise ToolError(
            "PRISM_DAEMON_ERROR",
            f"The daemon answered {status}: {content[:200].decode(errors='replace')}",
            suggestions=["See the daemon log: prism daemon logs"],
        )
