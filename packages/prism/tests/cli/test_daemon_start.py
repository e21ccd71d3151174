"""Starting prismd on demand: the CLI waits for the daemon's own report, so a daemon that
cannot start is an error naming the reason and the log, as soon as the daemon knows it.
"""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def state(tmp_path: Path, prism: Any) -> Iterator[Path]:
    """A state folder prism has yet to make."""
    folder = tmp_path / "prism"
    yield folder
    prism.stop_daemon(folder)


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ("port", "Address already in use"),
        ("database", "file is not a database"),
        ("lock", "prismd.lock: Is a directory"),
    ],
)
def test_a_daemon_that_cannot_start_says_why_and_where_its_log_is(
    prism: Any, state: Path, broken: str, reason: str
) -> None:
    state.mkdir()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        env = {}
        if broken == "port":
            env["PRISM_DAEMON_PORT"] = str(holder.getsockname()[1])
        elif broken == "database":
            (state / "prism.db").write_text("this is not a database, it is a note\n" * 4)
        else:
            (state / "prismd.lock").mkdir()
        result = prism.run(state, "list", "--output", "json", env=env)
    assert result.returncode == 6
    problem = json.loads(result.stdout)
    assert problem["code"] == "PRISM_DAEMON_START_FAILED"
    assert problem["detail"].startswith("prismd could not start.")
    assert reason in problem["detail"]
    log = state / "logs" / "prismd.log"
    assert f"Read its log: {log}" in problem["suggestions"]
    assert "prismd could not start" in log.read_text()
    assert problem["exit_code"] == 6


def test_a_daemon_with_no_folder_for_its_log_says_so_and_names_no_log(
    prism: Any, state: Path
) -> None:
    state.mkdir()
    (state / "logs").write_text("a file where the log folder should be")
    result = prism.run(state, "list")
    assert result.returncode == 6
    assert "logs: it is not a folder" in result.stderr
    assert "could not write a log" in result.stderr
    assert "Read its log" not in result.stderr


def test_commands_starting_the_daemon_at_once_share_one(prism: Any, state: Path) -> None:
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "prism", "daemon", "start", "--output", "json"],
            env=prism.env(state),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    replies = [start.communicate(timeout=60) for start in starts]
    assert [start.returncode for start in starts] == [0, 0], replies
    pids = {json.loads(out)["daemon"]["pid"] for out, _ in replies}
    assert len(pids) == 1


def test_the_logs_and_the_state_folder_are_private(prism: Any, state: Path) -> None:
    status = prism.json(state, "daemon", "start")
    assert status["daemon"]["running"] is True
    logs = state / "logs"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    for name in ("prismd.log", "prismd.out"):
        assert stat.S_IMODE((logs / name).stat().st_mode) == 0o600, name
    for name in ("prismd.token", "prismd.json", "prismd.lock", "prism.db"):
        assert stat.S_IMODE((state / name).stat().st_mode) == 0o600, name


def test_a_daemon_of_another_version_is_named_not_misread(prism: Any, state: Path) -> None:
    prism.json(state, "daemon", "start")
    discovery = state / "prismd.json"
    info = json.loads(discovery.read_text())
    discovery.write_text(json.dumps({**info, "version": "0.0.1"}))
    result = prism.run(state, "list", "--output", "json")
    assert result.returncode == 4
    problem = json.loads(result.stdout)
    assert problem["code"] == "PRISM_DAEMON_VERSION_MISMATCH"
    assert problem["detail"].startswith(f"prismd 0.0.1 is running (pid {info['pid']})")
    assert problem["suggestions"] == [
        "Restart it as this version: prism daemon stop && prism daemon start"
    ]
