"""The load simulator runs real processes and never leaves one behind."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec
from phoenix.loadsim.supervisor import FOLDER_MARKER, MARKER, Supervisor


@dataclass
class Clock:
    """Monotonic seconds the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def test_processes_have_the_profile_names_and_stop_ends_them(tmp_path: Path) -> None:
    sim = LoadSim(tmp_path)
    started = sim.start(load_spec(ProfileName.REALISTIC, process_count=20))
    try:
        assert started.simulation.running
        names = {p.name() for p in sim.children()}
        assert {"nginx", "postgres", "java"} <= names
        [java] = [p for p in sim.children() if p.name() == "java"]
        # The worker touches its ballast page by page: wait for the memory, then check it.
        deadline = time.monotonic() + 10
        while java.memory_info().rss < 50 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert java.memory_info().rss > 50 * 2**20
    finally:
        stopped = sim.stop()
    assert stopped.processes_ended == started.simulation.processes
    assert sim.children() == []
    assert not sim.status().simulation.running
    assert (tmp_path / "logs" / "loadsim-supervisor.log").exists()


def test_a_supervisor_killed_with_sigkill_takes_its_processes_with_it(tmp_path: Path) -> None:
    sim = LoadSim(tmp_path)
    sim.start(load_spec(ProfileName.HIGH_CARDINALITY, process_count=30))
    children = sim.children()
    # start() returned once every process ran: the kill lands on a full simulation.
    assert len(children) >= 30
    supervisor = psutil.Process(
        json.loads((tmp_path / "loadsim" / "supervisor.json").read_text())["pid"]
    )
    os.kill(supervisor.pid, signal.SIGKILL)
    supervisor.wait(timeout=10)
    # No stop: the kernel ends them (PR_SET_PDEATHSIG), which is what spares a killed run.
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    status = sim.status()
    assert not status.simulation.running
    assert status.processes_ended == 0
    assert not (tmp_path / "loadsim" / "supervisor.json").exists()


def test_status_ends_only_this_homes_runs_whose_supervisor_is_gone(tmp_path: Path) -> None:
    """The second safety net, for a simulated process that outlived its supervisor anyway: it
    is ended when its run is one this home recorded; another home's run, and a run this home
    never started, are left alone."""
    sim = LoadSim(tmp_path / "mine")
    (sim.runs).mkdir(parents=True)
    (sim.runs / "a-dead-run").touch()
    orphan = _detached_sleep(
        {MARKER: "a-dead-run", FOLDER_MARKER: str(sim.folder)}, tmp_path / "orphan.pid"
    )
    other = _detached_sleep(
        {MARKER: "another-run", FOLDER_MARKER: str(tmp_path / "theirs" / "loadsim")},
        tmp_path / "other.pid",
    )
    unknown = _detached_sleep(
        {MARKER: "not-recorded-here", FOLDER_MARKER: str(sim.folder)}, tmp_path / "unknown.pid"
    )
    try:
        assert sim.status().processes_ended == 1
        _, alive = psutil.wait_procs([orphan], timeout=10)
        assert alive == []
        assert other.is_running()
        assert unknown.is_running()
        assert not (sim.runs / "a-dead-run").exists()
    finally:
        for process in (orphan, other, unknown):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


def test_two_homes_simulating_at_once_never_end_each_others_processes(tmp_path: Path) -> None:
    mine, theirs = LoadSim(tmp_path / "mine"), LoadSim(tmp_path / "theirs")
    theirs.start(load_spec(ProfileName.HIGH_CARDINALITY, process_count=10))
    try:
        before = {p.pid for p in theirs.children()}
        mine.start(load_spec(ProfileName.HIGH_CARDINALITY, process_count=10))
        mine.status()
        mine.stop()
        assert {p.pid for p in theirs.children()} == before
        assert len(before) >= 10
    finally:
        theirs.stop()
        mine.stop()


def test_simulated_processes_are_light_and_high_cardinality_is_a_matrix(tmp_path: Path) -> None:
    spec = load_spec(ProfileName.HIGH_CARDINALITY)
    matrix = spec.groups[-1]
    assert len(matrix.combinations()) == 16 * 4 * 6 == matrix.count
    names = {matrix.process_name(i, i) for i in range(matrix.count)}
    assert len(names) == matrix.count
    assert {"api-prod-eu", "rec-dev-me"} <= names
    sim = LoadSim(tmp_path)
    sim.start(load_spec(ProfileName.HIGH_CARDINALITY, process_count=40))
    try:
        busy = [p for p in sim.children() if p.name() not in ("nginx", "postgres")]
        assert len(busy) >= 38
        # A perl worker, not a Python interpreter (24 MB each before).
        assert max(p.memory_info().rss for p in busy) < 12 * 2**20
        assert {p.name() for p in busy} <= names
    finally:
        sim.stop()


def _detached_sleep(markers: dict[str, str], pid_file: Path) -> psutil.Process:
    """A sleep whose parent has exited, as a killed supervisor's child would be."""
    sleep = shutil.which("sleep") or "/bin/sleep"
    subprocess.run(
        ["sh", "-c", f'"{sleep}" 300 >/dev/null 2>&1 & echo $! > "{pid_file}"'],
        env={**os.environ, **markers},
        check=True,
    )
    process = psutil.Process(int(pid_file.read_text()))
    deadline = time.monotonic() + 10
    while process.environ().get(MARKER) != markers[MARKER]:
        assert time.monotonic() < deadline, "the sleep never started"
        time.sleep(0.01)
    return process


def test_churn_replaces_each_process_when_its_lifetime_ends(tmp_path: Path) -> None:
    clock = Clock()
    spec = load_spec(ProfileName.PROCESS_CHURN, process_count=10, churn_rate=600)
    supervisor = Supervisor(spec, tmp_path, "churn-test", clock=clock)
    supervisor.start()
    try:
        first = dict(supervisor.children)
        assert len(first) == spec.process_count
        supervisor.step()
        assert set(supervisor.children) == set(first), "replaced before any lifetime ended"
        # 600 per minute over 10 processes: a mean lifetime of one second. An hour on, every
        # lifetime is over (the chance one is not is e**-3600).
        clock.now += 3600
        supervisor.step()
        assert not set(supervisor.children) & set(first)
        assert len(supervisor.children) == spec.process_count
        assert all(process.poll() is not None for process, _ in first.values())
    finally:
        supervisor.end_all()
    assert all(process.poll() is not None for process, _ in supervisor.children.values())


def test_without_churn_processes_live_until_the_run_ends(tmp_path: Path) -> None:
    clock = Clock()
    spec = load_spec(ProfileName.HIGH_CARDINALITY, process_count=5, duration=60)
    supervisor = Supervisor(spec, tmp_path, "steady-test", clock=clock)
    supervisor.start()
    try:
        first = set(supervisor.children)
        clock.now += 59
        supervisor.step()
        assert set(supervisor.children) == first
        assert not supervisor.expired
        clock.now += 1
        assert supervisor.expired
    finally:
        supervisor.end_all()
