"""Where prismd listens: loopback by default; beyond it (``prism daemon start --listen ADDR``)
only over TLS, as a team's shared daemon.

Environment (the CLI passes ``--listen`` and the certificate on this way):

- ``PRISM_DAEMON_LISTEN``: the address, default 127.0.0.1. It must be one address of this
  machine: a wildcard would accept requests for any name, which the origin check refuses.
- ``PRISM_DAEMON_TLS_CERT`` and ``PRISM_DAEMON_TLS_KEY``: a certificate and its key; without
  them one is generated for the address.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.service import InstanceLock, ServiceConfig, ServiceInfo
from groundwork.state import atomic_write_json

__all__ = ["listen_host", "serve_tls", "tls_paths"]

_WILDCARDS = ("0.0.0.0", "::", "*", "")  # noqa: S104 - named here to be refused


def listen_host() -> str:
    raw = os.environ.get("PRISM_DAEMON_LISTEN")
    if raw is None:
        return "127.0.0.1"
    host = raw.strip().strip("[]")
    if host in _WILDCARDS:
        raise ToolError(
            "PRISM_LISTEN_ADDRESS_WILDCARD",
            f"--listen {raw!r} would accept connections on every address of this machine.",
            suggestions=[
                "Give the one address members reach it at, e.g. --listen 10.0.0.5",
                "See this machine's addresses: ip -brief address",
            ],
            exit_code=ExitCode.USAGE,
        )
    return host


def tls_paths() -> tuple[Path | None, Path | None]:
    cert = os.environ.get("PRISM_DAEMON_TLS_CERT", "").strip()
    key = os.environ.get("PRISM_DAEMON_TLS_KEY", "").strip()
    return (Path(cert) if cert else None, Path(key) if key else None)


def serve_tls(
    app: object,
    config: ServiceConfig,
    certificate: Path,
    key: Path,
    *,
    on_ready: Callable[[ServiceInfo], None],
) -> None:
    """groundwork's serve, over TLS: one instance per state folder, the info file (with an
    https URL) while it runs, a graceful stop on SIGINT and SIGTERM.
    """
    import uvicorn

    # groundwork's own binding and signal handling, so both serve the same way; groundwork's
    # serve has no TLS option yet.
    from groundwork.service.server import _bind, _stop_signals_end_quietly

    with InstanceLock(config.lock_file, what=f"The {config.service_name} service"):
        sock = _bind(config)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        info = ServiceInfo(
            pid=os.getpid(),
            host=host,
            port=port,
            url=f"https://{shown}:{port}",
            version=config.version,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        atomic_write_json(config.info_file, asdict(info), private=True)
        server = uvicorn.Server(
            uvicorn.Config(
                app,  # type: ignore[arg-type]
                http="httptools",
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=int(config.shutdown_grace_seconds),
                ssl_certfile=str(certificate),
                ssl_keyfile=str(key),
            )
        )
        try:
            with _stop_signals_end_quietly(server):
                on_ready(info)
                server.run(sockets=[sock])
        finally:
            sock.close()
            config.info_file.unlink(missing_ok=True)
