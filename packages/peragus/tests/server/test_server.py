"""The notebook server end to end: uvicorn on a free port, real HTTP and WebSocket, real node."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from groundwork.service import running_service
from peragus.execution.runner import Limits
from peragus.server.app import peragus_app
from peragus.server.config import server_config
from peragus.server.websocket import MAX_MESSAGE_BYTES

REFERENCE = Path(__file__).parents[1] / "fixtures" / "srcbook"


@dataclass
class Server:
    url: str
    token: str
    home: Path
    notebooks: Path

    @property
    def http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"authorization": f"Bearer {self.token}"}, timeout=30
        )

    def websocket(self) -> ClientConnection:
        ws_url = self.url.replace("http://", "ws://") + "/websocket"
        return connect(ws_url, additional_headers={"authorization": f"Bearer {self.token}"})


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home per module, so esbuild is installed once."""
    return tmp_path_factory.mktemp("peragus-home")


@pytest.fixture
def server(shared_home: Path, tmp_path: Path) -> Iterator[Server]:
    config = server_config(shared_home, port=0)
    notebooks = tmp_path / "notebooks"
    app = peragus_app(shared_home, notebooks, config, Limits(timeout_seconds=20))
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        yield Server(info.url, token, shared_home, notebooks)


def send(ws: ClientConnection, topic: str, event: str, payload: dict[str, Any]) -> None:
    ws.send(json.dumps([topic, event, payload]))


def receive_until(
    ws: ClientConnection, event: str, where: Any = lambda p: True, timeout: float = 30
) -> tuple[list[list[Any]], dict[str, Any]]:
    """Every message up to and including the first ``event`` whose payload satisfies ``where``."""
    seen: list[list[Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        seen.append(message)
        if message[1] == event and where(message[2]):
            return seen, message[2]


def open_session(server: Server, name: str) -> dict[str, Any]:
    with server.http as http:
        reply = http.post("/api/sessions", json={"name": name})
        assert reply.status_code == 200, reply.text
        session: dict[str, Any] = reply.json()["session"]
        return session


def new_notebook(server: Server, title: str, language: str = "javascript") -> tuple[str, str, str]:
    """A new notebook, opened: its name, its session topic and its code cell's id."""
    with server.http as http:
        reply = http.post("/api/notebooks", json={"title": title, "language": language})
        assert reply.status_code == 201, reply.text
    name: str = reply.json()["notebook"]["name"]
    code = next(c for c in open_session(server, name)["cells"] if c["type"] == "code")
    return name, f"session:{name}", code["id"]


def subscribe(ws: ClientConnection, topic: str) -> None:
    send(ws, topic, "subscribe", {})
    receive_until(ws, "subscribed")


def set_source(ws: ClientConnection, topic: str, cell_id: str, source: str) -> dict[str, Any]:
    """Edit a cell over the socket; the server's cell:updated payload."""
    send(ws, topic, "cell:update", {"cellId": cell_id, "updates": {"source": source}})
    return receive_until(ws, "cell:updated")[1]


def test_import_edit_run_and_export_over_http_and_websocket(server: Server) -> None:
    reference = (REFERENCE / "getting-started.src.md").read_text(encoding="utf-8")
    with server.http as http:
        imported = http.post("/api/notebooks/import", json={"text": reference})
        assert imported.status_code == 201, imported.text
        name = imported.json()["notebook"]["name"]
        listed = http.get("/api/notebooks").json()["notebooks"]
        assert [(n["name"], n["title"]) for n in listed] == [(name, "Getting started")]
    assert http_export(server, name) == reference

    scratch, topic, code_id = new_notebook(server, "Scratch", "typescript")
    with server.websocket() as ws:
        subscribe(ws, topic)
        source = "const n: number = 6 * 7;\nconsole.log('answer', n);\nconsole.error('done');"
        assert set_source(ws, topic, code_id, source)["cell"]["source"] == source
        send(ws, topic, "cell:exec", {"cellId": code_id})
        seen, finished = receive_until(
            ws, "cell:updated", lambda p: p["cell"]["status"] == "idle" and "exitCode" in p
        )
    outputs = [m[2]["output"] for m in seen if m[1] == "cell:output"]
    assert {"type": "stdout", "data": "answer 42\n"} in outputs
    assert {"type": "stderr", "data": "done\n"} in outputs
    assert finished["exitCode"] == 0
    assert any(m[1] == "cell:updated" and m[2]["cell"]["status"] == "running" for m in seen)
    # The edit was saved: a new session (a reload) sees it, and so does the file on disk.
    reloaded = next(c for c in open_session(server, scratch)["cells"] if c["id"] == code_id)
    assert reloaded["source"] == source
    assert (server.notebooks / scratch / "src" / reloaded["filename"]).read_text() == source
    assert "answer" in http_export(server, scratch)


def http_export(server: Server, name: str) -> str:
    with server.http as http:
        reply = http.get(f"/api/notebooks/{name}/export")
        assert reply.status_code == 200
        return reply.text


def test_cells_are_created_renamed_and_deleted_for_every_subscriber(server: Server) -> None:
    name, topic, _ = new_notebook(server, "Cells")
    with server.websocket() as first, server.websocket() as second:
        for ws in (first, second):
            subscribe(ws, topic)
        send(first, topic, "cell:create", {"index": 0, "cell": {"type": "code", "source": "1"}})
        _, created = receive_until(second, "cell:created")
        cell_id = created["cell"]["id"]
        send(first, topic, "cell:rename", {"cellId": cell_id, "filename": "renamed.mjs"})
        _, renamed = receive_until(second, "cell:updated")
        assert renamed["cell"]["filename"] == "renamed.mjs"
        assert (server.notebooks / name / "src" / "renamed.mjs").exists()
        send(first, topic, "cell:delete", {"cellId": cell_id})
        receive_until(second, "cell:deleted")
    assert not (server.notebooks / name / "src" / "renamed.mjs").exists()


def test_stop_ends_a_looping_cell_and_the_server_stays_responsive(server: Server) -> None:
    _, topic, code_id = new_notebook(server, "Loop")
    with server.websocket() as ws:
        subscribe(ws, topic)
        loop = "let i = 0; setInterval(() => console.log('tick', i++), 1); while (false) {}"
        set_source(ws, topic, code_id, loop)
        send(ws, topic, "cell:exec", {"cellId": code_id})
        receive_until(ws, "cell:output")
        with server.http as http:  # the server answers while the cell floods
            assert http.get("/api/notebooks").status_code == 200
        send(ws, topic, "cell:stop", {"cellId": code_id})
        _, finished = receive_until(ws, "cell:updated", lambda p: "exitCode" in p)
    assert finished["stopped"] is True


def test_malformed_messages_and_unknown_sessions_get_errors_not_disconnects(
    server: Server,
) -> None:
    with server.websocket() as ws:
        ws.send("not json")
        assert json.loads(ws.recv(timeout=5))[2]["message"] == "a message must be JSON"
        send(ws, "session:nope", "subscribe", {})
        error = json.loads(ws.recv(timeout=5))
        assert error[1] == "error" and error[2]["code"] == "PERAGUS_NOTEBOOK_NOT_FOUND"
        send(ws, "session:nope", "cell:stop", {"cellId": "c1"})
        error = json.loads(ws.recv(timeout=5))
        assert error[1] == "error" and error[2]["code"] == "PERAGUS_SESSION_NOT_FOUND"
        send(ws, "session:nope", "cell:exec", {"cellId": ""})
        error = json.loads(ws.recv(timeout=5))
        assert error[1] == "error" and "cellId" in error[2]["message"]
        send(ws, "session:x", "deps:install", {"packages": ["--registry=http://evil"]})
        error = json.loads(ws.recv(timeout=5))
        assert error[1] == "error" and "packages" in error[2]["message"]
        send(ws, "session:x", "cell:teleport", {})
        assert "unknown event" in json.loads(ws.recv(timeout=5))[2]["message"]
        send(ws, "heartbeat", "ping", {})
        assert json.loads(ws.recv(timeout=5))[1] == "pong"


def test_a_message_over_the_limit_in_bytes_is_refused(server: Server) -> None:
    """The limit is in bytes: a message of two-byte characters under it in characters is not
    under it on the wire.
    """
    pad = "é" * (MAX_MESSAGE_BYTES // 2 + 1)
    text = json.dumps(["heartbeat", "ping", {"pad": pad}], ensure_ascii=False)
    assert len(text) < MAX_MESSAGE_BYTES < len(text.encode("utf-8"))
    with server.websocket() as ws:
        ws.send(text)
        refused = json.loads(ws.recv(timeout=30))
        assert refused[1:] == ["error", {"message": "message too large"}]
        send(ws, "heartbeat", "ping", {"pad": "é" * 1000})  # the connection stays open
        assert json.loads(ws.recv(timeout=5))[1] == "pong"


def test_no_token_and_foreign_origins_are_refused(server: Server) -> None:
    ws_url = server.url.replace("http://", "ws://") + "/websocket"
    with pytest.raises(InvalidStatus) as anonymous:
        connect(ws_url)
    assert anonymous.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as foreign_socket:
        connect(
            ws_url,
            additional_headers={"authorization": f"Bearer {server.token}"},
            origin=Origin("https://evil.example"),
        )
    assert foreign_socket.value.response.status_code == 403
    assert httpx.get(f"{server.url}/api/notebooks").status_code == 401
    with server.http as http:
        foreign = http.get("/api/notebooks", headers={"origin": "https://evil.example"})
        assert foreign.status_code == 403
        page = http.get("/")
        assert "content-security-policy" in page.headers
        assert "script-src 'self'" in page.headers["content-security-policy"]


def test_secrets_reach_cells_but_no_api_returns_them(server: Server) -> None:
    with server.http as http:
        assert http.put("/api/secrets/API_TOKEN", json={"value": "s3cr3t-value"}).status_code == 200
        assert http.put("/api/secrets/bad-name", json={"value": "x"}).status_code == 400
        settings = http.get("/api/settings")
        assert "s3cr3t-value" not in settings.text
        assert [s["name"] for s in settings.json()["settings"]["secrets"]] == ["API_TOKEN"]
    assert b"s3cr3t-value" not in (server.home / "peragus.db").read_bytes()
    _, topic, code_id = new_notebook(server, "Env")
    with server.websocket() as ws:
        subscribe(ws, topic)
        set_source(ws, topic, code_id, "console.log(process.env.API_TOKEN.length)")
        send(ws, topic, "cell:exec", {"cellId": code_id})
        seen, _ = receive_until(ws, "cell:updated", lambda p: "exitCode" in p)
    assert {"type": "stdout", "data": "12\n"} in [
        m[2]["output"] for m in seen if m[1] == "cell:output"
    ]
    with server.http as http:
        removed = http.delete("/api/secrets/API_TOKEN")
        assert removed.status_code == 200
        assert removed.json()["secret"]["name"] == "API_TOKEN"
        assert http.delete("/api/secrets/API_TOKEN").status_code == 404


def test_a_missing_package_is_reported_before_the_run(server: Server) -> None:
    _, topic, code_id = new_notebook(server, "Deps")
    with server.websocket() as ws:
        subscribe(ws, topic)
        source = "import chalk from 'chalk';\nimport fs from 'node:fs';\nconsole.log(chalk)"
        set_source(ws, topic, code_id, source)
        send(ws, topic, "cell:exec", {"cellId": code_id})
        _, error = receive_until(ws, "error")
    assert error["code"] == "PERAGUS_PACKAGES_MISSING"
    assert "chalk" in error["message"] and "fs" not in error["message"]


def test_deleting_a_notebook_moves_it_to_the_trash(server: Server) -> None:
    with server.http as http:
        name = http.post("/api/notebooks", json={"title": "Gone"}).json()["notebook"]["name"]
        deleted = http.delete(f"/api/notebooks/{name}").json()
        assert deleted["notebook"]["title"] == "Gone"
        moved = deleted["moved_to"]
        assert Path(moved).is_dir() and (Path(moved) / "README.md").exists()
        assert all(n["name"] != name for n in http.get("/api/notebooks").json()["notebooks"])
        assert http.post("/api/sessions", json={"name": name}).status_code == 404
