"""Running a service: one instance per state folder, a file that tells clients where it is, and
uvicorn with a graceful shutdown on SIGINT and SIGTERM.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from groundwork.errors import ExitCode, ToolError
from groundwork.service.config import ServiceConfig
from groundwork.service.discovery import ServiceInfo, read_service_info
from groundwork.service.lock import InstanceLock
from groundwork.state.atomic import atomic_write_json

__all__ = ["ServiceInfo", "TLSFiles", "connect", "read_service_info", "running_service", "serve"]


@dataclass(frozen=True)
class TLSFiles:
    """A certificate and its private key (PEM): a service that listens beyond loopback serves
    HTTPS with them, and its info file says https."""

    certificate: Path
    key: Path


def serve(
    app: FastAPI,
    config: ServiceConfig,
    *,
    on_ready: Callable[[ServiceInfo], None] | None = None,
    tls: TLSFiles | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; in-flight requests get ``shutdown_grace_seconds`` to end."""
    with _started(app, config, tls) as (server, sock, info), _stop_signals_end_quietly(server):
        if on_ready is not None:
            on_ready(info)
        server.run(sockets=[sock])


@contextlib.contextmanager
def _stop_signals_end_quietly(server: uvicorn.Server) -> Iterator[None]:
    """Around uvicorn's own handling of SIGINT/SIGTERM: a stop asked for before uvicorn took
    over (right after the address was printed) still stops it, and the signal uvicorn re-raises
    once it has shut down gracefully ends the process normally (exit 0, state files cleaned up)
    rather than killing it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_sig: int, _frame: object) -> None:
        server.should_exit = True

    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, stop) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def running_service(app: FastAPI, config: ServiceConfig) -> Iterator[ServiceInfo]:
    """Run a service in a background thread (tests, benchmarks, embedding), stopping on exit."""
    with _started(app, config) as (server, sock, info):
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.01)
        try:
            yield info
        finally:
            server.should_exit = True
            thread.join(timeout=config.shutdown_grace_seconds + 5)


@contextlib.contextmanager
def _started(
    app: FastAPI, config: ServiceConfig, tls: TLSFiles | None = None
) -> Iterator[tuple[uvicorn.Server, socket.socket, ServiceInfo]]:
    with InstanceLock(config.lock_file, what=f"The {config.service_name} service"):
        sock = _bind(config)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        info = ServiceInfo(
            pid=os.getpid(),
            host=host,
            port=port,
            url=f"{'https' if tls else 'http'}://{shown}:{port}",
            version=config.version,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        atomic_write_json(config.info_file, asdict(info), private=True)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                # httptools (C) parses HTTP/1.1 at a fraction of h11's cost per request.
                http="httptools",
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=int(config.shutdown_grace_seconds),
                ssl_certfile=str(tls.certificate) if tls else None,
                ssl_keyfile=str(tls.key) if tls else None,
            )
        )
        try:
            yield server, sock, info
        finally:
            sock.close()
            with contextlib.suppress(FileNotFoundError):
                config.info_file.unlink()


def _bind(config: ServiceConfig) -> socket.socket:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose protocol
    # says TCP, and without it every response waits ~40 ms on Nagle and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        in_use = exc.errno == errno.EADDRINUSE
        raise ToolError(
            "GROUNDWORK_PORT_IN_USE" if in_use else "GROUNDWORK_BIND_FAILED",
            f"Could not listen on {config.host}:{config.port}: {exc.strerror}.",
            suggestions=[
                f"Stop what listens on port {config.port}, or choose another port"
                " (0 picks any free one)."
                if in_use
                else "Check the --host address: it must be one of this machine's."
            ],
            exit_code=ExitCode.CONFLICT if in_use else ExitCode.USAGE,
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def connect(config: ServiceConfig, *, timeout: float = 30.0) -> httpx.Client:
    """An httpx client for a running service, with its token; a clear error when it isn't up."""
    info = read_service_info(config)
    if info is None or not config.token_file.exists():
        raise ToolError(
            "GROUNDWORK_SERVICE_NOT_RUNNING",
            f"The {config.service_name} service is not running for {config.state_dir}.",
            suggestions=[f"Start it (see `{config.tool} --help`), then try again."],
            exit_code=ExitCode.UNAVAILABLE,
        )
    token = Path(config.token_file).read_text(encoding="utf-8").strip()
    return httpx.Client(
        base_url=info.url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
    )
