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
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["listen_host", "tls_paths"]

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
