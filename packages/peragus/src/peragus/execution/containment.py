"""Keeping a cell run's processes in bounds: how many it may have, how much memory and CPU share
it gets, and killing every one of them when the run ends, those that left its process group too.

A process-count limit has to hold for root as well, and RLIMIT_NPROC does not bind root. So:

The limit is on tasks, processes and threads together, as the kernel counts them for both
mechanisms (a node process runs about eleven threads): a cell may fork a few dozen node
processes or hundreds of small ones, never without bound.

- Linux with the cgroup v1 hierarchy writable (root, as on CI machines and in containers): each
  run gets its own cgroup under the server's own, in the ``pids`` controller (``pids.max``), and,
  where they are mounted, ``memory`` (``memory.limit_in_bytes``: a Buffer flood outside V8's heap
  is stopped too), ``cpu`` (see below) and ``freezer`` (frozen before the kill, so a fork loop
  cannot outrun it). Every process the cell starts is in the cgroup, whatever it does with
  sessions and process groups, so the kill at the end is complete.
- Elsewhere, for a user who is not root (Linux without a writable hierarchy, macOS):
  RLIMIT_NPROC set to the tasks the user runs already plus the run's allowance, and RLIMIT_DATA
  a little above the memory limit for each process (a Buffer flood fails to allocate); the
  run's processes are found by the id in their environment, as well as by group and parentage.
- Root without a writable cgroup hierarchy gets no process-count limit at all: runs are refused
  with an error naming what is missing, unless ``PERAGUS_UNCONTAINED=1`` says to run them anyway.

CPU: a run starts with the weight of a few processes (``cpu.shares`` 4096 in its cgroup: node
starts on several threads, which share the group's weight), so a short cell answers at once;
once it has run for ``BACKGROUND_AFTER_SECONDS`` it is moved to the background (``cpu.shares`` 2
in its cgroup, else nice 19 for its process group), so a cell that spins, or forks spinners,
never slows the server or the next short run. A run being stopped comes back to the foreground
first: on a busy machine, processes that get almost no CPU take seconds to exit.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from peragus.execution.marks import RUN_ID_ENV, carrying

__all__ = ["Containment", "Usage", "contain", "containment_kind", "sweep_stale_groups"]

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_PREFIX = "peragus-"
BACKGROUND_CPU_SHARES = 2
"""A run that has gone on for a while, against 1024 for each of the server's threads."""
FOREGROUND_CPU_SHARES = 4096
"""A fresh run, or one being stopped: node starts on several threads, which in a group share the
group's one weight, so at 1024 a cell's first output came 30-40 % later on a busy machine."""
UNCONTAINED_ENV = "PERAGUS_UNCONTAINED"
DATA_HEADROOM_BYTES = 256 * 1024 * 1024
"""Above the memory limit for RLIMIT_DATA: node's own start-up mappings, so that V8's heap limit
(three quarters of the memory limit) is what a cell that fills its heap meets first."""
BACKGROUND_AFTER_SECONDS = 1.0


@dataclass(frozen=True)
class Usage:
    processes: int
    cpu_seconds: float
    rss_bytes: int


class Containment(ABC):
    kind: str

    @abstractmethod
    def child_setup(self) -> None:
        """Runs in the child between fork and exec: only system calls, no locks."""

    @abstractmethod
    def pids(self, leader: int) -> list[int]:
        """Every process of the run (``leader`` is the cell's own)."""

    def usage(self, leader: int) -> Usage:
        import psutil  # the status page's figures; loaded by the server only

        cpu, rss, count = 0.0, 0, 0
        for pid in self.pids(leader):
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                with process.oneshot():
                    times = process.cpu_times()
                    cpu += times.user + times.system
                    rss += process.memory_info().rss
                    count += 1
        return Usage(processes=count, cpu_seconds=cpu, rss_bytes=rss)

    def kill_all(self, leader: int) -> None:
        """SIGKILL to every process of the run, until none is left."""
        deadline = time.monotonic() + 5
        while (pids := self.pids(leader)) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)

    def to_background(self, leader: int) -> None:
        """The run has gone on for a while: the lowest CPU priority from now on (what it starts
        later inherits it; what left its group before is found and lowered too).
        """
        for pid in self.pids(leader):
            if pid != leader:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, pid, 19)
        with contextlib.suppress(OSError):  # the leader last: the moment it is done
            os.setpriority(os.PRIO_PGRP, leader, 19)  # the leader's pid is its group's id

    def to_foreground(self, leader: int) -> None:
        """The run is being stopped: a process needs CPU to exit, and a starved one takes seconds
        to. (Raising a nice value back needs privileges a user may lack; then it stays.)
        """
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PGRP, leader, 0)

    def hit_process_limit(self) -> bool:
        return False

    def out_of_memory(self) -> bool:
        return False

    @abstractmethod
    def close(self) -> None:
        """Frees what the run held (its cgroups); every process must be gone first."""


def _own_group(controller: str) -> Path | None:
    """The server's own cgroup in a v1 ``controller``'s hierarchy, if mounted."""
    mount = CGROUP_ROOT / controller
    if not (mount / "cgroup.procs").is_file():
        return None
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return mount / path.lstrip("/")
    return None


@cache
def _cgroup_v1_parents() -> dict[str, Path]:
    """The controllers whose hierarchy lets us make child groups, with the parent to make them
    in; empty when ``pids`` is not one of them.
    """
    parents: dict[str, Path] = {}
    for controller in ("pids", "memory", "cpu", "freezer"):
        own = _own_group(controller)
        if own is None:
            continue
        probe = own / f"{GROUP_PREFIX}probe-{os.getpid()}"
        try:
            probe.mkdir()
            probe.rmdir()
        except OSError:
            continue
        parents[controller] = own
    return parents if "pids" in parents else {}


def containment_kind() -> str:
    """What a run gets here, in words (doctor, the status page, the README's table)."""
    if _cgroup_v1_parents():
        return "cgroup v1 (" + ", ".join(sorted(_cgroup_v1_parents())) + ")"
    if os.geteuid() != 0:
        return "RLIMIT_NPROC"
    if os.environ.get(UNCONTAINED_ENV) == "1":
        return f"none ({UNCONTAINED_ENV}=1)"
    return "none"


def _write(path: Path, value: str) -> None:
    path.write_text(value, encoding="ascii")


class CgroupV1(Containment):
    kind = "cgroup v1"

    def __init__(self, run_id: str, max_tasks: int, memory_bytes: int) -> None:
        self.groups: dict[str, Path] = {}
        name = f"{GROUP_PREFIX}{os.getpid()}-{run_id}"
        for controller, parent in _cgroup_v1_parents().items():
            group = parent / name
            group.mkdir()
            self.groups[controller] = group
        _write(self.groups["pids"] / "pids.max", str(max_tasks))
        if "cpu" in self.groups:
            _write(self.groups["cpu"] / "cpu.shares", str(FOREGROUND_CPU_SHARES))
        if "memory" in self.groups:
            _write(self.groups["memory"] / "memory.limit_in_bytes", str(memory_bytes))
        self._procs = [str(group / "cgroup.procs") for group in self.groups.values()]

    def child_setup(self) -> None:
        pid = str(os.getpid()).encode()
        for procs in self._procs:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def pids(self, leader: int) -> list[int]:
        try:
            text = (self.groups["pids"] / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(line) for line in text.split()]

    def kill_all(self, leader: int) -> None:
        freezer = self.groups.get("freezer")
        if freezer is None:
            super().kill_all(leader)
            return
        # Frozen, a fork loop cannot make new processes while the old ones are killed.
        with contextlib.suppress(OSError):
            _write(freezer / "freezer.state", "FROZEN")
        for pid in self.pids(leader):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            _write(freezer / "freezer.state", "THAWED")
        super().kill_all(leader)

    def to_background(self, leader: int) -> None:
        group = self.groups.get("cpu")
        if group is None:
            super().to_background(leader)
            return
        with contextlib.suppress(OSError):
            _write(group / "cpu.shares", str(BACKGROUND_CPU_SHARES))

    def to_foreground(self, leader: int) -> None:
        group = self.groups.get("cpu")
        if group is None:
            super().to_foreground(leader)
            return
        with contextlib.suppress(OSError):
            _write(group / "cpu.shares", str(FOREGROUND_CPU_SHARES))

    def hit_process_limit(self) -> bool:
        try:
            events = (self.groups["pids"] / "pids.events").read_text().split()
        except OSError:
            return False
        return len(events) == 2 and events[1] != "0"

    def out_of_memory(self) -> bool:
        group = self.groups.get("memory")
        if group is None:
            return False
        try:
            control = (group / "memory.oom_control").read_text()
        except OSError:
            return False
        fields = dict(line.split(" ", 1) for line in control.splitlines() if " " in line)
        return fields.get("oom_kill", "0").strip() != "0"

    def close(self) -> None:
        for group in self.groups.values():
            for _ in range(100):
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)  # the last process is still exiting


class ProcessLimit(Containment):
    """RLIMIT_NPROC for a user who is not root, and RLIMIT_DATA per process for memory.

    Without a cgroup, a run's processes are found three ways, since each alone misses some: the
    leader's descendants (while it lives), its process group (the leader's pid, as it started a
    new session), and every process whose environment carries the run's id (children that left
    the group and lost their parent when the cell ended).
    """

    kind = "RLIMIT_NPROC"

    def __init__(self, run_id: str, max_tasks: int, memory_bytes: int) -> None:
        import psutil

        self.run_id = run_id
        self.memory_bytes = memory_bytes + DATA_HEADROOM_BYTES
        uid = os.getuid()
        running = 0
        for process in psutil.process_iter(["uids", "num_threads"]):
            info = process.info
            if info["uids"] is not None and info["uids"].real == uid:
                running += info["num_threads"] or 1
        self.limit = running + max_tasks

    def child_setup(self) -> None:
        resource.setrlimit(resource.RLIMIT_NPROC, (self.limit, self.limit))
        resource.setrlimit(resource.RLIMIT_DATA, (self.memory_bytes, self.memory_bytes))

    def close(self) -> None:
        """A limit on the child dies with it: nothing to free."""

    def pids(self, leader: int) -> list[int]:
        import psutil

        try:
            root = psutil.Process(leader)
            found = {p.pid for p in [root, *root.children(recursive=True)]}
        except psutil.Error:
            found = set()
        # The leader started a new session, so its pid is the group's id, even once it is gone.
        found.update(p.pid for p in psutil.process_iter() if _in_group(p.pid, leader))
        found.update(carrying(RUN_ID_ENV, self.run_id))
        found.discard(os.getpid())
        return sorted(found)


def _in_group(pid: int, group: int) -> bool:
    try:
        return os.getpgid(pid) == group
    except OSError:
        return False


class Uncontained(ProcessLimit):
    """Root with no writable cgroup hierarchy, by the user's explicit choice."""

    kind = "none"

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.limit = 0

    def child_setup(self) -> None:
        pass


def contain(run_id: str, max_tasks: int, memory_bytes: int) -> Containment:
    if _cgroup_v1_parents():
        return CgroupV1(run_id, max_tasks, memory_bytes)
    if os.geteuid() != 0:
        return ProcessLimit(run_id, max_tasks, memory_bytes)
    if os.environ.get(UNCONTAINED_ENV) == "1":
        return Uncontained(run_id)
    raise ToolError(
        "PERAGUS_CONTAINMENT_UNAVAILABLE",
        "Cells cannot get a process-count limit here: peragus runs as root, where RLIMIT_NPROC"
        f" does not apply, and no cgroup v1 hierarchy with the pids controller is writable under"
        f" {CGROUP_ROOT}/pids.",
        suggestions=[
            f"Mount the pids controller: mkdir -p {CGROUP_ROOT}/pids &&"
            f" mount -t cgroup -o pids none {CGROUP_ROOT}/pids",
            "Or run peragus as a user who is not root (cells then get RLIMIT_NPROC).",
            f"Or set {UNCONTAINED_ENV}=1 to run cells without a process-count limit.",
        ],
        exit_code=ExitCode.UNAVAILABLE,
    )


def sweep_stale_groups() -> list[str]:
    """Kills what a killed server's runs left behind and removes their cgroups.

    A group is stale when the server that made it (its pid is in the name) is gone.
    """
    swept: list[str] = []
    parents = _cgroup_v1_parents()
    if "freezer" in parents:
        # A server killed in the middle of a kill may have left a group frozen: frozen
        # processes do not die, so thaw first.
        for group in parents["freezer"].glob(f"{GROUP_PREFIX}*-*"):
            with contextlib.suppress(OSError):
                _write(group / "freezer.state", "THAWED")
    for controller, parent in parents.items():
        for group in parent.glob(f"{GROUP_PREFIX}*-*"):
            owner = group.name.removeprefix(GROUP_PREFIX).split("-", 1)[0]
            if not owner.isdigit() or _alive(int(owner)):
                continue
            stale = CgroupV1.__new__(CgroupV1)
            stale.groups = {controller: group}
            if controller == "pids":
                for pid in stale.pids(0):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                swept.append(group.name)
            stale.close()
    return swept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
