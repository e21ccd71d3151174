"""The supervisor: owns every simulated process, replaces them as they churn, ends them all.

It runs as its own session leader, so its children share its process group; each child also
asks the kernel to kill it if the supervisor dies. `phoenix loadsim start` starts it detached.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from phoenix.loadsim.profiles import LoadSpec, ProcessGroup

MARKER = "PHOENIX_LOADSIM_RUN"
"""In each simulated process's environment: the run it belongs to."""
FOLDER_MARKER = "PHOENIX_LOADSIM_FOLDER"
"""Also there (inherited from the supervisor): the loadsim folder of the phoenix home that
started it, so one home never ends another's simulation."""
WORKER = Path(__file__).with_name("worker.pl")
PERL = shutil.which("perl") or "/usr/bin/perl"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
SPAWNERS = 8


class Supervisor:
    """``clock`` (monotonic seconds) decides lifetimes and the end of the run; tests drive it."""

    def __init__(
        self,
        spec: LoadSpec,
        folder: Path,
        run_id: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.bin = folder / "bin"
        self.run_id = run_id
        self.children: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        self.serial = 0
        self.stopping = False
        self.rng = random.Random(run_id)  # noqa: S311 - simulated load, not security
        self._groups: dict[int, ProcessGroup] = {}
        self._spawned: dict[int, int] = {}
        self._env = {**os.environ, MARKER: run_id}
        self._spawners = ThreadPoolExecutor(max_workers=SPAWNERS, thread_name_prefix="spawn")
        self.ends: float | None = None

    def _command(self, group: ProcessGroup, name: str) -> list[str]:
        """`sleep` for an idle process, else the perl worker (a few MB where a Python
        interpreter took 24), each started through a link named like the service."""
        link = self.bin / name
        if group.pattern == "idle" and not group.memory_mb:
            if not link.exists():
                link.symlink_to(shutil.which("sleep") or "/bin/sleep")
            return [str(link), "infinity"]
        if not link.exists():
            link.symlink_to(PERL)
        return [
            str(link),
            str(WORKER),
            group.pattern,
            str(group.cpu_percent),
            str(group.memory_mb),
            str(self.rng.randrange(2**31)),
        ]

    def _argv(self, group: ProcessGroup) -> list[str]:
        self.serial += 1
        name = group.process_name(self._spawned.get(id(group), 0), self.serial)
        self._spawned[id(group)] = self._spawned.get(id(group), 0) + 1
        # setpriv asks the kernel to kill the child when the supervisor dies, then execs it in
        # place; without a preexec_fn, Popen can vfork, which is what lets 300 start in seconds.
        return [SETPRIV, "--pdeathsig", "KILL", "--", *self._command(group, name)]

    def _popen(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self._env,
        )

    def _register(self, group: ProcessGroup, process: subprocess.Popen[bytes]) -> None:
        self.children[process.pid] = (process, self.clock() + self._lifetime())
        self._groups[process.pid] = group

    def _spawn(self, group: ProcessGroup) -> None:
        self._register(group, self._popen(self._argv(group)))

    def _lifetime(self) -> float:
        """Exponential lifetimes, so the whole set is replaced at churn_per_minute on average."""
        if not self.spec.churn_per_minute:
            return float("inf")
        per_process_rate = self.spec.churn_per_minute / 60 / max(1, self.spec.process_count)
        return self.rng.expovariate(per_process_rate)

    def start(self) -> None:
        """Every process of the spec, each with its lifetime."""
        self.bin.mkdir(parents=True, exist_ok=True)
        self.ends = (
            self.clock() + self.spec.duration_seconds if self.spec.duration_seconds else None
        )
        jobs = [
            (group, self._argv(group)) for group in self.spec.groups for _ in range(group.count)
        ]
        # Each Popen waits until its child has exec'd, which on a busy host is mostly waiting
        # for a CPU: a few at once keep both cores fed. The threads live as long as the
        # supervisor: the kernel's parent-death signal follows the thread that forked a child.
        started = list(self._spawners.map(self._popen, [argv for _, argv in jobs]))
        for (group, _), process in zip(jobs, started, strict=True):
            self._register(group, process)
        self._await_exec()

    def _await_exec(self) -> None:
        """Until every child runs as its service: setpriv execs it right after starting."""
        waiting = list(self.children)
        deadline = time.monotonic() + 10
        while waiting and time.monotonic() < deadline:
            still = []
            for pid in waiting:
                try:
                    if Path(f"/proc/{pid}/comm").read_text().strip() == "setpriv":
                        still.append(pid)
                except OSError:
                    pass
            waiting = still
            if waiting:
                time.sleep(0.01)

    @property
    def expired(self) -> bool:
        return self.ends is not None and self.clock() >= self.ends

    def step(self) -> None:
        """Replace each process whose lifetime is over or that exited, one for one."""
        now = self.clock()
        for pid, (process, until) in list(self.children.items()):
            exited = process.poll() is not None
            if exited or now >= until:
                if not exited:
                    process.terminate()
                    process.wait()
                group = self._groups.pop(pid)
                del self.children[pid]
                self._spawn(group)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.start()
        # What `loadsim start` waits for, rather than scanning every process's environment.
        (self.bin.parent / f"ready-{self.run_id}").write_text(str(len(self.children)))
        while not self.stopping and not self.expired:
            self.step()
            time.sleep(0.2)
        self.end_all()

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def end_all(self) -> None:
        for process, _ in self.children.values():
            process.terminate()
        deadline = time.monotonic() + 5
        for process, _ in self.children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    spec_file, run_id = Path(sys.argv[1]), sys.argv[2]
    spec = LoadSpec.model_validate(json.loads(spec_file.read_text()))
    Supervisor(spec, spec_file.parent, run_id).run()


if __name__ == "__main__":
    main()
