"""The token a web service on a workstation asks for, read over SSH and kept here.

A Jupyter server's token is made on the workstation at first boot, in a file only root reads
(see :mod:`prism.templates.services`); prism reads it over SSH with the workstation's key, so the
token is never in a template, the instance's user data or prism's records. A JupyterHub user's
token is their own: a file in their home that only they read, made on first use by the SSH
session of that user (their key), which the hub checks when they log in.

Either is kept on this machine in prism's state folder (mode 600, one file per instance and
service), so `prism web` opens at once the next time; a new instance of the same name reads anew.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write_text

__all__ = [
    "HUB_TOKEN_FILE",
    "TokenKey",
    "cached_token",
    "fetch_token",
    "fill_url",
    "forget_tokens",
    "needs_token",
    "remote_token_command",
    "store_token",
    "tunnel_command",
]

HUB_TOKEN_FILE = ".prism/jupyterhub-token"  # noqa: S105 - a path, not a secret
_RANDOM_HEX = "od -An -N24 -tx1 /dev/urandom | tr -d ' \\n'"
_TIMEOUT_SECONDS = 30


def needs_token(url: str) -> bool:
    return "{token}" in url or "{user_token}" in url


def remote_token_command(url: str, token_path: str) -> str:
    """The shell command that prints the service's token on the workstation: the root-only
    file for a Jupyter server, the user's own file (made when missing) for the hub.
    """
    if "{user_token}" in url:
        path = f"$HOME/{HUB_TOKEN_FILE}"
        return (
            f'umask 077; mkdir -p "$HOME/.prism"; [ -s "{path}" ] ||'
            f' {_RANDOM_HEX} > "{path}"; cat "{path}"'
        )
    read = f"cut -d= -f2- {shlex.quote(token_path)}"
    return f'if [ "$(id -u)" = 0 ]; then {read}; else sudo -n {read}; fi'


def fetch_token(ssh: list[str], remote: str, workstation: str) -> str:
    """The token, printed by ``remote`` in an SSH session (``ssh`` ends with user@host, and
    never asks: no password prompt, no host key question, where prism waits for an answer).
    """
    try:
        done = subprocess.run(
            [*ssh[:-1], "-o", "BatchMode=yes", ssh[-1], remote],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        done = None
    token = done.stdout.strip() if done else ""
    if done is None or done.returncode != 0 or not token or any(c.isspace() for c in token):
        why = (
            f"no answer within {_TIMEOUT_SECONDS} s"
            if done is None
            else (done.stderr.strip().splitlines() or ["no token printed"])[-1].rstrip(".")
        )
        raise ToolError(
            "PRISM_WEB_TOKEN_UNREADABLE",
            f"Could not read the service's token from {workstation} over SSH: {why}.",
            suggestions=[
                f"Check that SSH works: prism connect {workstation}",
                "A workstation still in its first boot makes the token during setup: wait for"
                " the launch to finish, then try again.",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        )
    return token


@dataclass(frozen=True)
class TokenKey:
    """Whose token for what: a new instance under the same name is a new key."""

    workstation: str
    instance: str
    service: str
    user: str

    def file(self, folder: Path) -> Path:
        return folder / f"{self.workstation}--{self.instance}--{self.service}--{self.user}"


def cached_token(folder: Path, key: TokenKey) -> str | None:
    path = key.file(folder)
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def store_token(folder: Path, key: TokenKey, token: str) -> None:
    private_dir(folder)
    atomic_write_text(key.file(folder), token + "\n", private=True)


def forget_tokens(folder: Path, workstation: str) -> None:
    """A deleted workstation's tokens go with it."""
    if folder.is_dir():
        for path in folder.glob(f"{workstation}--*"):
            path.unlink(missing_ok=True)


def fill_url(url: str, *, local: str, token: str | None, user: str) -> str:
    filled = url.replace("{local}", local).replace("{user}", user)
    if token is not None:
        filled = filled.replace("{user_token}", token).replace("{token}", token)
    return filled


def tunnel_command(ssh: list[str], local: int, remote_port: int) -> list[str]:
    """ssh holding a forward from this machine's loopback to the service's port there."""
    return [
        *ssh[:-1],
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        f"127.0.0.1:{local}:localhost:{remote_port}",
        ssh[-1],
    ]
