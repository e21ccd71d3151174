"""The load simulator runs real processes and never leaves one behind."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import psutil

from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import load_spec


def test_processes_have_the_profile_names_and_stop_ends_them(tmp_path: Path) -> None:
    sim = LoadSim(tmp_path)
    state = sim.start(load_spec("realistic", process_count=20))
    try:
        assert state["running"]
        names = {p.name() for p in sim.children()}
        assert {"nginx", "postgres", "java"} <= names
        busy = [p for p in sim.children() if p.name() == "java"]
        deadline = time.monotonic() + 5
        while busy[0].memory_info().rss < 50 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert busy[0].memory_info().rss > 50 * 2**20
    finally:
        result = sim.stop()
    assert result["processes_ended"] >= 20
    assert sim.children() == []
    assert not sim.status()["running"]


def test_a_supervisor_killed_with_sigkill_leaves_nothing_behind(tmp_path: Path) -> None:
    sim = LoadSim(tmp_path)
    sim.start(load_spec("high-cardinality", process_count=30))
    children = sim.children()
    assert len(children) >= 30
    supervisor = json.loads((tmp_path / "loadsim" / "supervisor.json").read_text())["pid"]
    os.kill(supervisor, signal.SIGKILL)
    sim.stop()
    _, alive = psutil.wait_procs(children, timeout=5)
    assert alive == []
    assert sim.children() == []


def test_churn_replaces_processes(tmp_path: Path) -> None:
    sim = LoadSim(tmp_path)
    sim.start(load_spec("process-churn", process_count=10, churn_rate=600))
    try:
        first = {p.pid for p in sim.children()}
        time.sleep(2.5)
        later = {p.pid for p in sim.children()}
        assert later - first
        assert 8 <= len(later) <= 14
    finally:
        sim.stop()
