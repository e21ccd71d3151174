"""A team member's side: the shared prismd this CLI talks to (``remote.json``, 0600, written by
`prism team join`), and TLS pinned to that daemon's certificate.

The certificate a member saw at join, checked against the fingerprint in their join command, is
the only one trusted afterwards: no certificate authority is needed, and no other server is
believed, whatever its name.
"""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from groundwork.state import atomic_write_json

__all__ = [
    "REMOTE_FILE",
    "Joined",
    "Remote",
    "fingerprint_of_pem",
    "load_remote",
    "pinned_context",
    "save_remote",
    "server_certificate",
]

REMOTE_FILE = "remote.json"


class Remote(BaseModel):
    url: str
    user: str
    token: str
    fingerprint: str | None = None
    certificate: str | None = Field(default=None, description="PEM, pinned at join.")


class Joined(BaseModel):
    """What `prism team join` answers: never the token itself."""

    user: str
    url: str
    fingerprint: str | None = None
    saved_to: str


def fingerprint_of_pem(pem: str) -> str:
    der = ssl.PEM_cert_to_DER_cert(pem)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def load_remote(home: Path) -> Remote | None:
    path = home / REMOTE_FILE
    try:
        return Remote.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise ToolError(
            "PRISM_REMOTE_CONFIG_INVALID",
            f"{path} is not what `prism team join` writes: {exc}",
            suggestions=["Join again with the command you were given, or remove the file."],
            exit_code=ExitCode.USAGE,
        ) from exc


def save_remote(home: Path, remote: Remote) -> Path:
    path = home / REMOTE_FILE
    atomic_write_json(path, remote.model_dump(mode="json"), private=True)
    return path


def pinned_context(certificate: str) -> ssl.SSLContext:
    """Trusts exactly this certificate (its name is not checked: the pin is the identity)."""
    context = ssl.create_default_context(cadata=certificate)
    context.check_hostname = False
    return context


def server_certificate(url: str, expected: str) -> str:
    """The certificate the server at ``url`` presents, refused unless its fingerprint is the one
    the join command carries.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    try:
        pem = ssl.get_server_certificate((host, port), timeout=10)
    except OSError as exc:
        raise ToolError(
            "PRISM_DAEMON_UNREACHABLE",
            f"Could not reach {url}: {exc}.",
            suggestions=["Check the address in the join command, and that prismd runs there."],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        ) from exc
    found = fingerprint_of_pem(pem)
    if found != expected.lower():
        raise ToolError(
            "PRISM_TLS_FINGERPRINT_MISMATCH",
            f"The server at {url} presents a certificate with fingerprint {found}, not the"
            f" {expected} in your join command: it may not be your team's prismd.",
            suggestions=[
                "Do not go on. Ask whoever invited you to check `prism daemon status` there.",
            ],
            context={"presented": found, "expected": expected},
            exit_code=ExitCode.PERMISSION,
        )
    return pem
