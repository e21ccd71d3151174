"""A `prism templates test` killed mid-setup takes its container with it: a container left
running would hold the shared apt cache's lock and fail the next test's apt.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

import psutil
import pytest


@pytest.mark.timeout(900)
def test_the_container_dies_with_a_killed_prism(
    prism: Any, tmp_path: Path, system_tool: Any
) -> None:
    system_tool("debootstrap", package="debootstrap")
    system_tool("systemd-nspawn", package="systemd-container")
    if os.geteuid() != 0:
        pytest.fail("the live template test runs containers: run this suite as root", pytrace=False)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "stuck.yml").write_text(
        "name: Stuck\nslug: stuck\nbase: debian-12\npost_install: |\n  sleep 86400\n"
    )
    running = prism.start(tmp_path, "templates", "test", "stuck")
    try:
        _wait_for_the_setup_script(running.pid)
        processes = psutil.Process(running.pid).children(recursive=True)
        names = _names(processes)
        assert "systemd-nspawn" in names and "sleep" in names, names
        os.kill(running.pid, signal.SIGKILL)
        running.wait()
        _, alive = psutil.wait_procs(processes, timeout=60)
        assert _names(alive) == []
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()


def _wait_for_the_setup_script(pid: int) -> None:
    """Until the setup script sleeps in the container, for a day unless killed (a debootstrap
    root is built first when the cache has none).
    """
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if "sleep" in _names(psutil.Process(pid).children(recursive=True)):
            return
        time.sleep(0.1)
    raise AssertionError("the setup script never reached its sleep in the container")


def _names(processes: list[psutil.Process]) -> list[str]:
    """The names of those still there."""
    names = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            names.append(process.name())
    return names
