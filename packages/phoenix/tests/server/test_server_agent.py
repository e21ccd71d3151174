"""`phoenix server` beside an agent that already runs for its home: it leaves that one be, says
so, and the console reads it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx


def test_the_server_leaves_a_running_agent_be_and_the_console_reads_it(tmp_path: Path) -> None:
    env = {**os.environ, "PHOENIX_HOME": str(tmp_path)}
    phoenix = [sys.executable, "-m", "phoenix"]
    agent = subprocess.Popen(
        [*phoenix, "agent", "--port", "0", "--interval", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    server = None
    stderr = ""
    try:
        assert agent.stdout is not None
        assert agent.stdout.readline().startswith("http://127.0.0.1:")  # it listens
        server = subprocess.Popen(
            [*phoenix, "server", "--port", "0", "--agent-port", "0", "-o", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        text = ""
        started = None
        while started is None:  # one document, indented over lines: read until it parses
            line = server.stdout.readline()
            assert line, f"the server ended before its document: {text!r}"
            text += line
            with contextlib.suppress(json.JSONDecodeError):
                started = json.loads(text)
        token = (tmp_path / "phoenix-server.token").read_text().strip()
        [row] = httpx.get(
            f"{started['service']['url']}/api/v1/hosts",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()["host_deployments"]
    finally:
        if server is not None:
            server.terminate()
            stderr = server.communicate(timeout=30)[1]
        agent.terminate()
        agent.wait(timeout=30)
    assert started["agent"] is None
    notices = " ".join(stderr.split())  # as printed, wrapped to the terminal
    assert "phoenix server runs no agent: The phoenix-agent service is already" in notices
    assert row["status"] == "running" and row["problem"] is None
    assert row["input_series"] > 0
