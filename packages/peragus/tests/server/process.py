"""`peragus start` as a user runs it: a real process, so tests can kill -9 it, interrupt it, and
start it again on the same port with the same home.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    url: str
    login_url: str
    token: str

    def kill_9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def interrupt(self) -> None:
        self.process.send_signal(signal.SIGINT)


def _document(stdout: IO[str]) -> dict[str, Any]:
    """The start command's JSON document: read line by line until it closes."""
    lines = []
    for line in stdout:
        lines.append(line)
        if line.rstrip() == "}":
            break
    document: dict[str, Any] = json.loads("".join(lines))
    return document


def start_server(
    home: Path,
    notebooks: Path,
    port: int,
    env: dict[str, str] | None = None,
    wrap: Callable[[list[str]], list[str]] = lambda command: command,
) -> ServerProcess:
    """``wrap`` may run the command otherwise (as another user); it must exec, not fork, so
    that signals reach the server itself.
    """
    process = subprocess.Popen(
        wrap(
            [
                sys.executable,
                "-m",
                "peragus",
                "start",
                "--port",
                str(port),
                "--dir",
                str(notebooks),
                "--no-open",
                "-o",
                "json",
            ]
        ),
        env={**os.environ, "PERAGUS_HOME": str(home), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    document = _document(process.stdout)
    server = document["server"]
    token = (home / "peragus.token").read_text().strip()
    return ServerProcess(process, server["url"], server["login_url"], token)
