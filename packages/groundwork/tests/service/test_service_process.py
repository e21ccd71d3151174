"""The service as a real process: started, found by its info file, refused twice, stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

SERVER = """
import sys
from pathlib import Path
from groundwork.errors import ToolError, render_error
from groundwork.service import ServiceConfig, create_app, serve
from rich.console import Console

config = ServiceConfig(tool="demo", version="1.0", state_dir=Path(sys.argv[1]))
try:
    serve(create_app(config), config, on_ready=lambda info: print(info.url, flush=True))
except ToolError as exc:
    render_error(exc, Console(stderr=True, width=200))
    sys.exit(int(exc.exit_code))
"""


def start(script: Path, state: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_one_instance_per_folder_and_a_clean_stop(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    state = tmp_path / "state"
    first = start(script, state)
    try:
        assert first.stdout is not None
        url = first.stdout.readline().strip()
        info = json.loads((state / "demo.json").read_text())
        assert info["url"] == url
        assert info["pid"] == first.pid
        assert httpx.get(f"{url}/healthz").status_code == 200

        second = start(script, state)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 4
        assert "already running" in err
        assert str(first.pid) in err
        assert "Traceback" not in err

        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
        assert not (state / "demo.json").exists()
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)


def test_a_killed_instance_does_not_block_the_next(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    state = tmp_path / "state"
    first = start(script, state)
    assert first.stdout is not None
    first.stdout.readline()
    first.kill()
    first.wait()
    again = start(script, state)
    try:
        assert again.stdout is not None
        url = again.stdout.readline().strip()
        assert httpx.get(f"{url}/healthz").status_code == 200
    finally:
        again.kill()
        again.wait()


HELD_AT_READY = """
import sys
from pathlib import Path
from groundwork.service import ServiceConfig, create_app, serve


def ready(info):
    print(info.url, flush=True)
    sys.stdin.readline()  # held here, after the URL and before uvicorn runs, until told


config = ServiceConfig(tool="demo", version="1.0", state_dir=Path(sys.argv[1]))
serve(create_app(config), config, on_ready=ready)
"""


def test_a_stop_asked_for_right_after_the_address_is_printed_still_stops_it(
    tmp_path: Path,
) -> None:
    script = tmp_path / "server.py"
    script.write_text(HELD_AT_READY)
    state = tmp_path / "state"
    server = subprocess.Popen(
        [sys.executable, str(script), str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdin is not None
        assert server.stdout is not None
        assert server.stdout.readline().startswith("http://")
        server.send_signal(signal.SIGTERM)  # before uvicorn has its own handlers
        server.stdin.write("go\n")
        server.stdin.flush()
        assert server.wait(timeout=30) == 0
        assert not (state / "demo.json").exists()
    finally:
        if server.poll() is None:
            server.kill()
