"""Starting, stopping and inspecting the load simulator, with no orphans ever.

The supervisor's pid and start time are recorded (a reused pid is not mistaken for it), each run
is recorded in the home (`loadsim/runs/<run id>`), and every child carries markers in its
environment (its run, its phoenix home's folder). So `start`, `stop` and `status` find and end
the children of a supervisor that was killed with SIGKILL: those of this home's recorded runs
only, never another home's run, nor a run this home did not start.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psutil

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_json
from phoenix.home import log_dir
from phoenix.loadsim.profiles import LoadSpec
from phoenix.loadsim.results import Simulation, SimulationResult
from phoenix.loadsim.supervisor import FOLDER_MARKER, MARKER

__all__ = ["LoadSim"]


class LoadSim:
    def __init__(self, home: Path, logs: Path | None = None) -> None:
        self.folder = home / "loadsim"
        self.state_file = self.folder / "supervisor.json"
        self.runs = self.folder / "runs"
        self.log_file = (logs or log_dir()) / "loadsim-supervisor.log"

    def _state(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.state_file.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return data

    def _supervisor(self, state: dict[str, Any] | None) -> psutil.Process | None:
        if not state:
            return None
        try:
            process = psutil.Process(state["pid"])
            if (
                abs(process.create_time() - state["create_time"]) < 1
                and process.status() != "zombie"
            ):
                return process
        except psutil.Error:
            pass
        return None

    def recorded_runs(self) -> set[str]:
        try:
            return {entry.name for entry in self.runs.iterdir()}
        except FileNotFoundError:
            return set()

    def children(self, run_id: str | None = None) -> list[psutil.Process]:
        """Simulated processes of this home: of one run, or of any run it recorded when None."""
        runs = {run_id} if run_id is not None else self.recorded_runs()
        if not runs:
            return []
        found = []
        for process in psutil.process_iter(["pid"]):
            try:
                environ = process.environ()
            except (psutil.Error, OSError):
                continue
            marker = environ.get(MARKER)
            if marker in runs and environ.get(FOLDER_MARKER) == str(self.folder):
                found.append(process)
        return found

    def reap_orphans(self) -> int:
        """End the processes of this home's runs whose supervisor is gone; returns how many."""
        state = self._state()
        if self._supervisor(state) is not None:
            return 0
        runs = self.recorded_runs()
        orphans = [p for run in sorted(runs) for p in self.children(run)]
        for process in orphans:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(orphans, timeout=5)
        for run in runs:
            with contextlib.suppress(FileNotFoundError):
                (self.runs / run).unlink()
        if state and self.state_file.exists():
            self.state_file.unlink()
        return len(orphans)

    def start(self, spec: LoadSpec) -> SimulationResult:
        orphans = self.reap_orphans()
        if self._supervisor(self._state()) is not None:
            raise ToolError(
                "PHOENIX_LOADSIM_RUNNING",
                "A load simulation is already running.",
                suggestions=["See it: phoenix loadsim status", "Stop it: phoenix loadsim stop"],
                exit_code=ExitCode.CONFLICT,
            )
        if shutil.which("perl") is None and any(
            g.pattern != "idle" or g.memory_mb for g in spec.groups
        ):
            raise ToolError(
                "PHOENIX_LOADSIM_NEEDS_PERL",
                "Busy simulated processes run a small perl worker, and perl is not installed.",
                suggestions=["apt-get install perl-base (it is part of every Debian system)"],
                exit_code=ExitCode.UNAVAILABLE,
            )
        private_dir(self.folder)
        shutil.rmtree(self.folder / "bin", ignore_errors=True)
        run_id = uuid.uuid4().hex[:12]
        private_dir(self.runs)
        (self.runs / run_id).touch()
        spec_file = self.folder / "spec.json"
        atomic_write_json(spec_file, spec.model_dump(mode="json"))
        private_dir(self.log_file.parent)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "phoenix.loadsim.supervisor", str(spec_file), run_id],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                env={**os.environ, FOLDER_MARKER: str(self.folder)},
            )
        state = {
            "pid": process.pid,
            "create_time": psutil.Process(process.pid).create_time(),
            "run_id": run_id,
            "profile": spec.profile,
            "process_count": spec.process_count,
            "started_at": time.time(),
        }
        atomic_write_json(self.state_file, state)
        ready = self.folder / f"ready-{run_id}"
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            if process.poll() is not None:
                raise ToolError(
                    "PHOENIX_LOADSIM_START_FAILED",
                    "The load simulator stopped as it started.",
                    suggestions=[f"See its log: {self.log_file}"],
                    exit_code=ExitCode.FAILURE,
                )
            time.sleep(0.05)
        ready.unlink(missing_ok=True)
        return SimulationResult(simulation=self._simulation(), processes_ended=orphans)

    def stop(self) -> SimulationResult:
        state = self._state()
        supervisor = self._supervisor(state)
        ended = 0
        if supervisor is not None and state is not None:
            ended = len(self.children(state["run_id"]))
            with contextlib.suppress(psutil.NoSuchProcess):  # it may have just ended
                supervisor.send_signal(signal.SIGTERM)
            with contextlib.suppress(psutil.TimeoutExpired):
                supervisor.wait(timeout=10)
            if supervisor.is_running():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(supervisor.pid, signal.SIGKILL)
        ended += self.reap_orphans()
        with contextlib.suppress(FileNotFoundError):
            self.state_file.unlink()
        return SimulationResult(simulation=Simulation(running=False), processes_ended=ended)

    def status(self) -> SimulationResult:
        orphans = self.reap_orphans()
        return SimulationResult(simulation=self._simulation(), processes_ended=orphans)

    def _simulation(self) -> Simulation:
        state = self._state()
        supervisor = self._supervisor(state)
        if supervisor is None or state is None:
            return Simulation(running=False)
        children = self.children(state["run_id"])
        names = set()
        for child in children:
            with contextlib.suppress(psutil.Error):
                names.add(child.name())
        return Simulation(
            running=True,
            profile=state["profile"],
            supervisor_pid=state["pid"],
            processes=len(children),
            names=sorted(names)[:20],
            uptime_seconds=round(time.time() - state["started_at"], 1),
        )
