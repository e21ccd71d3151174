"""A launch whose daemon dies or hangs halfway, at a point each test observes: the daemon's
RunInstances call held at a proxy between prismd and AWS (moto), with `prism launch` already
showing the launch's progress. Each has one right outcome.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

PING_SECONDS = "0.3"


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    yield tmp_path
    prism.stop_daemon(tmp_path, lab.env)


@pytest.fixture
def env(lab: Any, proxy: Any) -> dict[str, str]:
    """prismd reaches AWS through the proxy, and pings progress streams every 0.3 s."""
    return {**lab.env, "AWS_ENDPOINT_URL": proxy.url, "PRISM_PROGRESS_PING_SECONDS": PING_SECONDS}


def daemon(state: Path) -> dict[str, Any]:
    info: dict[str, Any] = json.loads((state / "prismd.json").read_text())
    return info


def wait_for_line(stream: IO[str] | None, text: str) -> str:
    """The first line of a running command's output that contains ``text``."""
    assert stream is not None
    for line in stream:
        if text in line:
            return line
    raise AssertionError(f"the command ended without printing {text!r}")


def launch_held_at_run_instances(
    prism: Any, lab: Any, proxy: Any, state: Path, env: dict[str, str], name: str, when: str
) -> tuple[Any, Any]:
    """`prism launch NAME -o json` running, prismd inside RunInstances, the CLI following."""
    lab.use_profile(prism, state, **env)
    hold = proxy.hold_action("RunInstances", when=when)
    launch = prism.start(state, "launch", "ubuntu-server", name, "--output", "json", env=env)
    assert hold.reached.wait(60), "prismd never called RunInstances"
    wait_for_line(launch.stderr, f"launch {name}:")
    return launch, hold


def test_a_daemon_killed_after_run_instances_is_restarted_and_the_launch_ends_running(
    prism: Any, lab: Any, proxy: Any, state: Path, env: dict[str, str]
) -> None:
    launch, hold = launch_held_at_run_instances(
        prism, lab, proxy, state, env, "phoenix", when="after"
    )
    try:
        [instance] = lab.tagged("phoenix")  # AWS made it; prismd has not heard back yet
        killed = daemon(state)["pid"]
        os.kill(killed, signal.SIGKILL)
        hold.release()
        out, err = launch.communicate(timeout=90)
    finally:
        launch.kill()
    assert launch.returncode == 0, err
    ws = json.loads(out)["workstation"]
    assert ws["instance_id"] == instance["InstanceId"]
    assert ws["state"] == "running"
    assert "reconnecting" in err
    assert daemon(state)["pid"] != killed
    assert [i["InstanceId"] for i in lab.tagged("phoenix")] == [instance["InstanceId"]]


def test_a_daemon_killed_before_run_instances_reports_the_launch_failed(
    prism: Any, lab: Any, proxy: Any, state: Path, env: dict[str, str]
) -> None:
    launch, hold = launch_held_at_run_instances(
        prism, lab, proxy, state, env, "ghost", when="before"
    )
    try:
        os.kill(daemon(state)["pid"], signal.SIGKILL)
        hold.release(drop=True)  # the killed daemon's request never reaches AWS
        out, err = launch.communicate(timeout=90)
    finally:
        launch.kill()
    assert launch.returncode == 1, err
    problem = json.loads(out)
    assert problem["code"] == "PRISM_LAUNCH_FAILED"
    assert "interrupted before the instance was created" in problem["detail"]
    assert problem["suggestions"] == ["Launch it again: prism launch ubuntu-server ghost"]
    assert lab.tagged("ghost") == []
    listed = prism.json(state, "list", env=env)["workstations"]
    assert [(w["name"], w["state"]) for w in listed] == [("ghost", "failed")]


def test_a_hung_daemon_stops_pinging_and_the_cli_says_the_launch_may_still_be_running(
    prism: Any, lab: Any, proxy: Any, state: Path, env: dict[str, str]
) -> None:
    launch, hold = launch_held_at_run_instances(
        prism, lab, proxy, state, env, "frozen", when="before"
    )
    info = daemon(state)
    token = (state / "prismd.token").read_text().strip()
    try:
        with httpx.stream(
            "GET",
            f"{info['url']}/api/v1/workstations/frozen/progress",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ) as stream:
            lines = stream.iter_lines()
            assert next(line for line in lines if line.startswith(":")).startswith(": ping")
        os.kill(info["pid"], signal.SIGSTOP)
        try:
            out, err = launch.communicate(timeout=90)
        finally:
            os.kill(info["pid"], signal.SIGCONT)
    finally:
        launch.kill()
    assert launch.returncode == 6, err
    problem = json.loads(out)
    assert problem["code"] == "PRISM_PROGRESS_LOST"
    assert "not even a keep-alive" in problem["detail"]
    assert "may still be running" in problem["detail"]
    assert problem["suggestions"][0] == "Check where it is: prism list (or prism info frozen)"

    hold.release()
    states = []
    for _ in range(100):
        states.append(prism.json(state, "info", "frozen", env=env)["workstation"]["state"])
        if states[-1] == "running":
            break
    assert states[-1] == "running", states
