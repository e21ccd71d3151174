"""Crashes and stops of a real `peragus start` process: kill -9 while edits stream in leaves the
notebook intact and no temporary file in its folder, and a restart kills what the dead server's
cells left running; Ctrl+C stops running cells and says so, and a second Ctrl+C forces.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from websockets.sync.client import ClientConnection, connect

from peragus.notebooks.folder import read_folder

from ..execution.test_containment import leftovers
from ..execution.unprivileged import hand_over, namespace_command, shared_folder
from .process import ServerProcess, free_port, start_server
from .test_server import receive_until, send, subscribe


def http(server: ServerProcess) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"authorization": f"Bearer {server.token}"}, timeout=30
    )


def websocket(server: ServerProcess) -> ClientConnection:
    ws_url = server.url.replace("http://", "ws://") + "/websocket"
    return connect(ws_url, additional_headers={"authorization": f"Bearer {server.token}"})


def open_notebook(server: ServerProcess, title: str) -> tuple[str, str]:
    with http(server) as client:
        name = client.post("/api/notebooks", json={"title": title, "language": "javascript"})
        name = name.json()["notebook"]["name"]
        cells = client.post("/api/sessions", json={"name": name}).json()["session"]["cells"]
    return name, next(c["id"] for c in cells if c["type"] == "code")


def temporaries(folder: Path) -> list[Path]:
    """Anything in the notebook's folder that is a write in progress."""
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or "tmp" in p.parent.name]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.mark.parametrize("acknowledged", [1, 4, 12])
def test_kill_9_while_edits_stream_in_leaves_the_notebook_whole(
    home: Path, tmp_path: Path, acknowledged: int
) -> None:
    notebooks = tmp_path / "notebooks"
    port = free_port()
    server = start_server(home, notebooks, port)
    name, cell_id = open_notebook(server, "Crash")
    topic = f"session:{name}"
    sent = []
    with websocket(server) as ws:
        subscribe(ws, topic)
        # A long-running cell, to see that a restart kills what the dead server left running.
        send(
            ws,
            topic,
            "cell:update",
            {
                "cellId": cell_id,
                "updates": {"source": "setInterval(() => {}, 1000); console.log('up')"},
            },
        )
        receive_until(ws, "cell:updated")
        send(ws, topic, "cell:exec", {"cellId": cell_id})
        _, running = receive_until(ws, "cell:updated", lambda p: p.get("runId") is not None)
        receive_until(ws, "cell:output")
        # Edits go out without waiting; the kill comes once `acknowledged` were saved, while the
        # rest are still being written.
        for n in range(40):
            source = f"// version {n}\n" + "console.log('x');\n" * 2000
            sent.append(source)
            send(ws, topic, "cell:update", {"cellId": cell_id, "updates": {"source": source}})
        saved = 0
        while saved < acknowledged:
            message = json.loads(ws.recv(timeout=30))
            if message[1] == "cell:updated" and message[2]["cell"]["id"] == cell_id:
                saved += 1
        server.kill_9()
    folder = notebooks / name
    assert leftovers(running["runId"]) != []  # the dead server's cell runs on, orphaned
    # What a kill in the middle of a write leaves, planted: the restart must clear it.
    (folder / ".peragus" / "tmp").mkdir(parents=True, exist_ok=True)
    (folder / ".peragus" / "tmp" / "hello.mjs.abc123.tmp").write_text("half a wr")
    (folder / ".README.md.def456.tmp").write_text("from an older peragus")

    again = start_server(home, notebooks, port)
    try:
        # It prints its URL once listening; the first answer comes after its start-up (recovery).
        assert httpx.get(f"{again.url}/healthz").status_code == 200
        assert temporaries(folder) == []
        assert leftovers(running["runId"]) == []
        notebook = read_folder(folder)
        [cell] = notebook.code_cells()
        assert cell.source in sent[acknowledged - 1 :]
        with http(again) as client:
            assert client.get(f"/api/notebooks/{name}/export").status_code == 200
    finally:
        again.interrupt()
        again.process.wait(timeout=30)


def test_ctrl_c_stops_running_cells_and_says_what_it_stopped(home: Path, tmp_path: Path) -> None:
    server = start_server(home, tmp_path / "notebooks", free_port())
    name, cell_id = open_notebook(server, "Long")
    topic = f"session:{name}"
    with websocket(server) as ws:
        subscribe(ws, topic)
        send(
            ws,
            topic,
            "cell:update",
            {
                "cellId": cell_id,
                "updates": {"source": "console.log('up'); setInterval(() => {}, 1000)"},
            },
        )
        receive_until(ws, "cell:updated")
        send(ws, topic, "cell:exec", {"cellId": cell_id})
        _, running = receive_until(ws, "cell:updated", lambda p: p.get("runId") is not None)
        receive_until(ws, "cell:output")
        server.interrupt()
        assert server.process.wait(timeout=30) == 0
    assert server.process.stderr is not None
    said = server.process.stderr.read()
    assert f"peragus stopped: 1 running cell (hello.mjs in {name}) and 0 tsservers stopped" in said
    assert leftovers(running["runId"]) == []


def test_a_second_ctrl_c_forces(home: Path, tmp_path: Path) -> None:
    # A cell that ignores SIGTERM holds the graceful stop for its whole grace period.
    stubborn = (
        "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up');"
        " setInterval(() => {}, 1000)"
    )
    server = start_server(home, tmp_path / "notebooks", free_port())
    name, cell_id = open_notebook(server, "Stubborn")
    topic = f"session:{name}"
    with websocket(server) as ws:
        subscribe(ws, topic)
        send(ws, topic, "cell:update", {"cellId": cell_id, "updates": {"source": stubborn}})
        receive_until(ws, "cell:updated")
        send(ws, topic, "cell:exec", {"cellId": cell_id})
        _, running = receive_until(ws, "cell:updated", lambda p: p.get("runId") is not None)
        receive_until(ws, "cell:output")
    server.interrupt()
    assert server.process.stderr is not None
    # The graceful stop is under way, waiting out the cell's grace period: interrupt again.
    assert server.process.stderr.readline() == "peragus: stopping (Ctrl+C again to force)…\n"
    server.interrupt()
    assert server.process.wait(timeout=30) == 130
    assert "forced to stop: cells and tsservers killed at once" in server.process.stderr.read()
    assert leftovers(running["runId"]) == []


def test_without_a_cgroup_a_restart_kills_what_the_killed_server_left(system_tool: Any) -> None:
    """The row of a user who is not root: no cgroup names the dead server, its runs' processes
    carry it in their environment (a detached child included).
    """
    assert os.geteuid() == 0, "CI runs the tests as root; this case drops to nobody"
    with shared_folder() as folder:
        home, notebooks = folder / "home", folder / "notebooks"
        home.mkdir()
        notebooks.mkdir()
        hand_over(folder)
        port = free_port()

        def as_nobody(command: list[str]) -> list[str]:
            return namespace_command(system_tool, folder, command)

        env = {"HOME": str(folder), "PERAGUS_KEYRING": "0"}
        server = start_server(home, notebooks, port, env, wrap=as_nobody)
        # The process kill -9 reaches is the server itself (unshare and setpriv exec into it).
        assert psutil.Process(server.process.pid).uids().real == 65534
        name, cell_id = open_notebook(server, "Orphans")
        topic = f"session:{name}"
        source = (
            "import { spawn } from 'node:child_process';\n"
            "const child = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });\n"
            "child.on('spawn', () => console.log('up')); setInterval(() => {}, 1000);\n"
        )
        with websocket(server) as ws:
            subscribe(ws, topic)
            send(ws, topic, "cell:update", {"cellId": cell_id, "updates": {"source": source}})
            receive_until(ws, "cell:updated")
            send(ws, topic, "cell:exec", {"cellId": cell_id})
            _, running = receive_until(ws, "cell:updated", lambda p: p.get("runId") is not None)
            receive_until(ws, "cell:output")
            server.kill_9()
        orphans = leftovers(running["runId"])
        assert len(orphans) == 2  # node and the sleep in a session of its own
        assert all(psutil.Process(pid).uids().real == 65534 for pid in orphans)

        again = start_server(home, notebooks, port, env, wrap=as_nobody)
        try:
            assert httpx.get(f"{again.url}/healthz").status_code == 200
            assert leftovers(running["runId"]) == []
        finally:
            again.interrupt()
            again.process.wait(timeout=30)
