"""What the status page shows: uptime, resource use, open notebooks, live runs with their CPU and
memory, recent errors, alerts, and the same figures over the last hour.

The history is sampled every ``SAMPLE_SECONDS`` into a ring of an hour's samples, in memory: a
restart starts it afresh, and it never grows.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from peragus import __version__
from peragus.settings.store import AlertSettings

if TYPE_CHECKING:
    from peragus.execution.runner import CellRun

__all__ = [
    "Monitor",
    "RecentError",
    "StatusResult",
    "StatusView",
]

SAMPLE_SECONDS = 5.0
HISTORY_SAMPLES = 720  # an hour
RECENT_ERRORS = 50
ERROR_WINDOW_SECONDS = 60.0


class Resources(BaseModel):
    rss_bytes: int = Field(description="The server's resident memory.")
    cpu_percent: float = Field(description="The server's CPU use (100 = one core).")
    cells_rss_bytes: int = Field(description="Every running cell's processes together.")
    cells_cpu_percent: float
    threads: int


class OpenNotebook(BaseModel):
    name: str
    pages: int = Field(description="Browser pages subscribed to it.")
    tsserver: bool
    running_cells: int


class LiveRun(BaseModel):
    notebook: str
    cell: str
    run_id: str
    started_at: str
    seconds: float
    processes: int
    cpu_percent: float
    rss_bytes: int
    trace_id: str | None = None


class RecentError(BaseModel):
    at: str
    code: str
    message: str
    where: str = Field(description="The route, or the WebSocket event, that answered it.")


class Sample(BaseModel):
    at: str
    rss_bytes: int
    cpu_percent: float
    cells_rss_bytes: int
    cells_cpu_percent: float
    running_cells: int
    errors: int = Field(description="Errors in the minute before the sample.")


class Alert(BaseModel):
    kind: str = Field(description="memory, error_rate or long_run.")
    message: str


class StatusView(BaseModel):
    version: str
    pid: int
    started_at: str
    uptime_seconds: float
    containment: str = Field(description="How cell runs are contained on this machine.")
    resources: Resources
    notebooks: list[OpenNotebook]
    runs: list[LiveRun]
    errors: list[RecentError] = Field(description="The most recent first.")
    history: list[Sample] = Field(description=f"Every {SAMPLE_SECONDS:g} s, the last hour.")
    alerts: list[Alert]
    thresholds: AlertSettings


class StatusResult(BaseModel):
    status: StatusView


@dataclass
class RunRef:
    notebook: str
    cell: str
    run: CellRun
    trace_id: str | None


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


class _CpuMeter:
    """CPU percent between readings of a cumulative CPU-seconds figure.

    Readings closer together than ``MIN_INTERVAL`` repeat the last figure: CPU time advances in
    ticks of 10 ms, so two readings a millisecond apart (the sampler and a page's poll) would
    show a tick as several hundred percent.
    """

    MIN_INTERVAL = 1.0

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._last: dict[str, tuple[float, float, float]] = {}

    def start(self, key: str, cpu_seconds: float) -> None:
        """Counts from here: CPU spent before (a server's start-up) is no part of any reading."""
        self._last[key] = (self.clock(), cpu_seconds, 0.0)

    def percent(self, key: str, cpu_seconds: float, since: float) -> float:
        """``since`` is when ``cpu_seconds`` began counting, for a key never read before."""
        now = self.clock()
        before = self._last.get(key)
        if before is None:
            figure = 100 * cpu_seconds / max(now - since, self.MIN_INTERVAL)
        elif now - before[0] < self.MIN_INTERVAL:
            return before[2]
        else:
            figure = max(0.0, 100 * (cpu_seconds - before[1]) / (now - before[0]))
        self._last[key] = (now, cpu_seconds, round(figure, 1))
        return round(figure, 1)

    def keep(self, keys: set[str]) -> None:
        for key in set(self._last) - keys:
            del self._last[key]


class Monitor:
    def __init__(
        self,
        runs: Callable[[], list[RunRef]],
        notebooks: Callable[[], list[OpenNotebook]],
        thresholds: Callable[[], AlertSettings],
        containment: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        import psutil

        self._runs = runs
        self._notebooks = notebooks
        self._thresholds = thresholds
        self.containment = containment
        self.clock = clock
        self.started_at = clock()
        self._process = psutil.Process(os.getpid())
        self._errors: deque[tuple[float, RecentError]] = deque(maxlen=RECENT_ERRORS)
        self._error_times: deque[float] = deque(maxlen=10_000)
        self.history: deque[Sample] = deque(maxlen=HISTORY_SAMPLES)
        self._cpu = _CpuMeter(clock)
        times = self._process.cpu_times()
        self._cpu.start("server", times.user + times.system)
        self._lock = threading.Lock()

    def error(self, code: str, message: str, where: str) -> None:
        now = self.clock()
        with self._lock:
            self._errors.append(
                (now, RecentError(at=_iso(now), code=code, message=message[:500], where=where))
            )
            self._error_times.append(now)

    def http_problem(self, status: int, body: bytes, route: str) -> None:
        """An error reply: its problem+json code, else the status."""
        try:
            problem = json.loads(body)
            code, message = str(problem["code"]), str(problem.get("detail", ""))
        except (ValueError, KeyError, TypeError):
            code, message = f"HTTP_{status}", ""
        self.error(code, message, route)

    def errors_last_minute(self) -> int:
        cutoff = self.clock() - ERROR_WINDOW_SECONDS
        with self._lock:
            return sum(1 for at in self._error_times if at >= cutoff)

    def _resources_and_runs(self) -> tuple[Resources, list[LiveRun]]:
        with self._process.oneshot():
            times = self._process.cpu_times()
            rss = self._process.memory_info().rss
            threads = self._process.num_threads()
        server_cpu = self._cpu.percent("server", times.user + times.system, self.started_at)
        runs: list[LiveRun] = []
        for ref in self._runs():
            usage = ref.run.usage()
            if usage is None:
                continue
            runs.append(
                LiveRun(
                    notebook=ref.notebook,
                    cell=ref.cell,
                    run_id=ref.run.run_id,
                    started_at=_iso(ref.run.started_at),
                    seconds=round(time.time() - ref.run.started_at, 1),
                    processes=usage.processes,
                    cpu_percent=self._cpu.percent(
                        ref.run.run_id, usage.cpu_seconds, ref.run.started_at
                    ),
                    rss_bytes=usage.rss_bytes,
                    trace_id=ref.trace_id,
                )
            )
        self._cpu.keep({"server", *(r.run_id for r in runs)})
        resources = Resources(
            rss_bytes=rss,
            cpu_percent=server_cpu,
            cells_rss_bytes=sum(r.rss_bytes for r in runs),
            cells_cpu_percent=round(sum(r.cpu_percent for r in runs), 1),
            threads=threads,
        )
        return resources, runs

    def sample(self) -> Sample:
        """One point of the history (the sampler calls it every SAMPLE_SECONDS)."""
        with self._lock:
            resources, runs = self._resources_and_runs()
        point = Sample(
            at=_iso(self.clock()),
            rss_bytes=resources.rss_bytes,
            cpu_percent=resources.cpu_percent,
            cells_rss_bytes=resources.cells_rss_bytes,
            cells_cpu_percent=resources.cells_cpu_percent,
            running_cells=len(runs),
            errors=self.errors_last_minute(),
        )
        self.history.append(point)
        return point

    def alerts(self, resources: Resources, runs: list[LiveRun]) -> list[Alert]:
        limits = self._thresholds()
        found = []
        memory_mb = (resources.rss_bytes + resources.cells_rss_bytes) / 1024 / 1024
        if memory_mb > limits.memory_mb:
            found.append(
                Alert(
                    kind="memory",
                    message=f"peragus and its cells use {memory_mb:.0f} MB, over the"
                    f" {limits.memory_mb} MB threshold.",
                )
            )
        errors = self.errors_last_minute()
        if errors > limits.errors_per_minute:
            found.append(
                Alert(
                    kind="error_rate",
                    message=f"{errors} errors in the last minute, over the threshold of"
                    f" {limits.errors_per_minute}.",
                )
            )
        found.extend(
            Alert(
                kind="long_run",
                message=f"{run.cell} in {run.notebook} has run for {run.seconds:.0f} s, longer"
                f" than {limits.cell_seconds} s.",
            )
            for run in runs
            if run.seconds > limits.cell_seconds
        )
        return found

    def view(self) -> StatusView:
        with self._lock:
            resources, runs = self._resources_and_runs()
            errors = [e for _, e in reversed(self._errors)]
        now = self.clock()
        return StatusView(
            version=__version__,
            pid=os.getpid(),
            started_at=_iso(self.started_at),
            uptime_seconds=round(now - self.started_at, 1),
            containment=self.containment,
            resources=resources,
            notebooks=self._notebooks(),
            runs=runs,
            errors=errors,
            history=list(self.history),
            alerts=self.alerts(resources, runs),
            thresholds=self._thresholds(),
        )
