"""Progress of long operations as weighted stages, with an ETA people can trust.

An operation declares its stages up front with weights (how much of the whole each is). Overall
progress is the weighted sum of each stage's fraction done. The ETA comes from past durations of
the same stages when the caller has them (a launch of the same template last time), and from the
observed rate per unit of weight otherwise. Every change is pushed to listeners: prismd's
Server-Sent Events, which the CLI shows as a progress bar.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "ProgressPlan",
    "ProgressSnapshot",
    "StageState",
]


class StageState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


_FINISHED = (StageState.DONE, StageState.SKIPPED)


@dataclass
class _Stage:
    name: str
    weight: float
    state: StageState = StageState.PENDING
    fraction: float = 0.0
    message: str = ""
    started_at: float | None = None
    finished_at: float | None = None


@dataclass(frozen=True)
class ProgressSnapshot:
    """What listeners receive: plain data, safe to hand to another thread or serialise."""

    fraction: float
    eta_seconds: float | None
    elapsed_seconds: float
    current: str | None
    stages: tuple[dict[str, Any], ...]
    finished: bool
    failed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "fraction": round(self.fraction, 4),
            "percent": round(self.fraction * 100, 1),
            "eta_seconds": None if self.eta_seconds is None else round(self.eta_seconds, 1),
            "elapsed_seconds": round(self.elapsed_seconds, 1),
            "current": self.current,
            "finished": self.finished,
            "failed": self.failed,
            "stages": list(self.stages),
        }


Listener = Callable[[ProgressSnapshot], None]


@dataclass
class ProgressPlan:
    """Stages of one operation. ``history`` maps stage names to past durations in seconds."""

    stages: Sequence[tuple[str, float]]
    history: Mapping[str, float] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic
    _stages: dict[str, _Stage] = field(init=False)
    _started_at: float = field(init=False)
    _listeners: list[Listener] = field(default_factory=list, init=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False)

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("a progress plan needs at least one stage")
        if any(weight <= 0 for _, weight in self.stages):
            raise ValueError("stage weights must be positive")
        self._stages = {name: _Stage(name, float(weight)) for name, weight in self.stages}
        self._started_at = self.clock()

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Register a listener; the returned function removes it."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def start(self, name: str, message: str = "") -> None:
        with self._lock:
            stage = self._get(name)
            stage.state, stage.started_at, stage.message = StageState.RUNNING, self.clock(), message
        self._notify()

    def update(self, name: str, fraction: float, message: str | None = None) -> None:
        with self._lock:
            stage = self._get(name)
            if stage.state is StageState.PENDING:
                stage.state, stage.started_at = StageState.RUNNING, self.clock()
            stage.fraction = min(1.0, max(stage.fraction, fraction))
            if message is not None:
                stage.message = message
        self._notify()

    def finish(self, name: str, message: str = "") -> None:
        with self._lock:
            stage = self._get(name)
            if stage.started_at is None:
                stage.started_at = self.clock()
            stage.state, stage.fraction, stage.finished_at = StageState.DONE, 1.0, self.clock()
            stage.message = message or stage.message
        self._notify()

    def skip(self, name: str, message: str = "") -> None:
        with self._lock:
            stage = self._get(name)
            stage.state, stage.fraction, stage.message = StageState.SKIPPED, 1.0, message
        self._notify()

    def fail(self, name: str, message: str) -> None:
        with self._lock:
            stage = self._get(name)
            stage.state, stage.finished_at, stage.message = (
                StageState.FAILED,
                self.clock(),
                message,
            )
        self._notify()

    @contextlib.contextmanager
    def stage(self, name: str, message: str = "") -> Iterator[None]:
        """Run a block as a stage: started on entry, done on exit, failed if it raises."""
        self.start(name, message)
        try:
            yield
        except BaseException as exc:
            self.fail(name, str(exc) or type(exc).__name__)
            raise
        self.finish(name)

    def durations(self) -> dict[str, float]:
        """Seconds each finished stage took: save them and pass them as ``history`` next time."""
        with self._lock:
            return {
                s.name: s.finished_at - s.started_at
                for s in self._stages.values()
                if s.state is StageState.DONE
                and s.started_at is not None
                and s.finished_at is not None
            }

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            now = self.clock()
            stages = list(self._stages.values())
            total = sum(s.weight for s in stages)
            done = sum(s.weight * s.fraction for s in stages)
            current = next((s.name for s in stages if s.state is StageState.RUNNING), None)
            failed = any(s.state is StageState.FAILED for s in stages)
            finished = all(s.state in _FINISHED for s in stages)
            return ProgressSnapshot(
                fraction=done / total,
                eta_seconds=0.0 if finished else self._eta(stages, now),
                elapsed_seconds=now - self._started_at,
                current=current,
                stages=tuple(
                    {
                        "name": s.name,
                        "weight": s.weight,
                        "state": str(s.state),
                        "fraction": round(s.fraction, 4),
                        "message": s.message,
                    }
                    for s in stages
                ),
                finished=finished,
                failed=failed,
            )

    async def stream(self) -> AsyncIterator[ProgressSnapshot]:
        """Snapshots as they happen, ending after the plan finishes or fails (for SSE)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[ProgressSnapshot] = asyncio.Queue()

        def push(snap: ProgressSnapshot) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, snap)

        remove = self.add_listener(push)
        try:
            snap = self.snapshot()
            while True:
                yield snap
                if snap.finished or snap.failed:
                    return
                snap = await queue.get()
        finally:
            remove()

    def _eta(self, stages: list[_Stage], now: float) -> float | None:
        """Remaining seconds: past durations where known, the observed rate per weight elsewhere.

        The rate is measured on finished stages when there are any (a stage still running says
        little about its own speed); before the first one, on everything done so far.
        """
        rate = self._seconds_per_weight(stages, now)
        remaining = 0.0
        for s in stages:
            if s.state in _FINISHED:
                continue
            past = self.history.get(s.name)
            running_for = now - s.started_at if s.started_at is not None else 0.0
            if past is not None:
                left = past * (1 - s.fraction) if s.fraction > 0 else past - running_for
                remaining += max(left, 0.0)
            elif rate is None:
                return None
            else:
                expected = s.weight * rate
                left = expected * (1 - s.fraction)
                remaining += max(left, expected - running_for, 0.0) if s.fraction == 0 else left
        return remaining

    def _seconds_per_weight(self, stages: list[_Stage], now: float) -> float | None:
        finished = [
            (s.finished_at - s.started_at, s.weight)
            for s in stages
            if s.state is StageState.DONE and s.started_at is not None and s.finished_at is not None
        ]
        if finished:
            return sum(seconds for seconds, _ in finished) / sum(weight for _, weight in finished)
        known = [(self.history[s.name], s.weight) for s in stages if s.name in self.history]
        if known:
            return sum(seconds for seconds, _ in known) / sum(weight for _, weight in known)
        done = sum(s.weight * s.fraction for s in stages)
        elapsed = now - self._started_at
        return elapsed / done if done > 0 and elapsed > 0 else None

    def _get(self, name: str) -> _Stage:
        try:
            return self._stages[name]
        except KeyError:
            raise ValueError(f"no stage {name!r}; the plan has {list(self._stages)}") from None

    def _notify(self) -> None:
        snap = self.snapshot()
        for listener in list(self._listeners):
            listener(snap)
