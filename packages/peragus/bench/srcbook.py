"""The npm package `srcbook`, installed outside the repository and run here, side by side.

It is installed once with npm into ``~/.cache/peragus-bench/srcbook`` and started with a throwaway
HOME (it keeps its notebooks and SQLite under ``~/.srcbook``). Its server needs an IPC channel to
its parent, so it is forked from a one-line node script, as its own CLI does.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from websockets.sync.client import ClientConnection, connect

CACHE = Path.home() / ".cache" / "peragus-bench" / "srcbook"
VERSION = "0.0.18"


def install() -> Path:
    server = CACHE / "node_modules" / "srcbook" / "dist" / "src" / "server.mjs"
    if not server.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", f"srcbook@{VERSION}"],
            cwd=CACHE,
            check=True,
        )
    return server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Srcbook:
    url: str
    pid: int

    def import_text(self, text: str) -> dict[str, object]:
        """Imports a notebook and opens a session on it: the session's id and cells."""
        with httpx.Client(base_url=self.url, timeout=60) as http:
            folder = http.post("/api/import", json={"text": text}).json()["result"]["dir"]
            session: dict[str, object] = http.post("/api/sessions", json={"path": folder}).json()[
                "result"
            ]
            return session

    def websocket(self) -> ClientConnection:
        return connect(self.url.replace("http", "ws") + "/websocket")


@contextlib.contextmanager
def running() -> Iterator[Srcbook]:
    server = install()
    port = _free_port()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "PORT": str(port)}
        fork = f"require('child_process').fork({json.dumps(str(server))}, {{stdio: 'ignore'}})"
        process = subprocess.Popen(["node", "-e", fork], env=env, start_new_session=True)
        url = f"http://localhost:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{url}/api/settings", timeout=1)
                break
            time.sleep(0.2)
        try:
            yield Srcbook(url, process.pid)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
            process.wait(timeout=10)
