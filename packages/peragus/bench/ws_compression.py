"""A large output stream over the WebSocket, with and without permessage-deflate.

The server (uvicorn's websockets implementation, as `peragus start` runs it) offers
permessage-deflate; a client that asks for it gets every message compressed. A cell writes
about 3 MB of log-like JSON lines (40,000 of them); each client times exec to the end of the run
and counts the bytes that reached it on the wire. "Without" is a client that does not ask, i.e.
the wire before compression.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

from groundwork.bench import print_figure
from groundwork.service import running_service
from peragus.execution.runner import Limits
from peragus.server.app import peragus_app
from peragus.server.config import server_config

STREAM = (
    "for (let i = 0; i < 40000; i++) console.log(JSON.stringify("
    "{ row: i, status: i % 7 ? 'ok' : 'retry', path: `/api/items/${i % 500}`, ms: i % 97 }));"
)
ROUNDS = 5


class CountingSocket(socket.socket):
    """A TCP socket that counts the bytes it receives: the wire's size, frames and all."""

    received = 0

    def recv(self, size: int, flags: int = 0) -> bytes:
        data = super().recv(size, flags)
        self.received += len(data)
        return data


def stream_once(
    url: str, token: str, topic: str, cell_id: str, *, deflate: bool
) -> tuple[float, int, int]:
    """Milliseconds exec to the run's end, wire bytes, payload bytes."""
    host, port = url.removeprefix("http://").split(":")
    raw = socket.create_connection((host, int(port)))
    sock = CountingSocket(fileno=raw.detach())
    options: dict[str, Any] = {} if deflate else {"compression": None}
    with connect(
        url.replace("http", "ws") + "/websocket",
        sock=sock,
        additional_headers={"authorization": f"Bearer {token}"},
        max_size=None,
        **options,
    ) as ws:
        negotiated = ws.response.headers.get("sec-websocket-extensions") or ""
        assert ("permessage-deflate" in negotiated) == deflate, negotiated
        ws.send(json.dumps([topic, "subscribe", {}]))
        while json.loads(ws.recv(timeout=30))[1] != "subscribed":
            pass
        sock.received = 0
        payload = 0
        started = time.perf_counter()
        ws.send(json.dumps([topic, "cell:exec", {"cellId": cell_id}]))
        while True:
            text = ws.recv(timeout=60)
            payload += len(text.encode())
            _, event, body = json.loads(text)
            if event == "cell:updated" and "exitCode" in body:
                return (time.perf_counter() - started) * 1000, sock.received, payload


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        config = server_config(home, port=0)
        app = peragus_app(home, home / "notebooks", config, Limits(output_bytes=20_000_000))
        with running_service(app, config) as info:
            token = config.token_file.read_text().strip()
            http = httpx.Client(base_url=info.url, headers={"authorization": f"Bearer {token}"})
            name = http.post(
                "/api/notebooks", json={"title": "stream", "language": "javascript"}
            ).json()["notebook"]["name"]
            session = http.post("/api/sessions", json={"name": name}).json()["session"]
            cell_id = next(c["id"] for c in session["cells"] if c["type"] == "code")
            topic = f"session:{name}"
            with connect(
                info.url.replace("http", "ws") + "/websocket",
                additional_headers={"authorization": f"Bearer {token}"},
            ) as ws:
                ws.send(
                    json.dumps(
                        [topic, "cell:update", {"cellId": cell_id, "updates": {"source": STREAM}}]
                    )
                )
                time.sleep(0.5)
            figures = {}
            for deflate in (False, True):
                runs = [
                    stream_once(info.url, token, topic, cell_id, deflate=deflate)
                    for _ in range(ROUNDS)
                ]
                figures[deflate] = runs
    for deflate, label in ((False, "without compression"), (True, "permessage-deflate")):
        runs = figures[deflate]
        print_figure(
            f"{label}: exec to the end of a 3 MB stream, median",
            statistics.median(r[0] for r in runs),
            "ms",
        )
        print_figure(
            f"{label}: bytes on the wire", statistics.median(r[1] for r in runs) / 1e6, "MB"
        )
    payload = statistics.median(r[2] for r in figures[True]) / 1e6
    print_figure("payload (JSON text) either way", payload, "MB")
    ratio = statistics.median(r[1] for r in figures[False]) / statistics.median(
        r[1] for r in figures[True]
    )
    print_figure("wire bytes, without / with", ratio, "x")


if __name__ == "__main__":
    sys.exit(main())
