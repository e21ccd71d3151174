"""Timing helpers for the tools' `bench/` scripts: repeat, take the median, print beside a target.

Benchmarks print figures rather than assert them; this keeps the figures comparable across tools.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CommandTiming", "Timing", "print_figure", "time_call", "time_command"]


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def min_ms(self) -> float:
        return min(self.samples_ms)


def time_call(fn: Callable[[], object], *, runs: int = 10, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(tuple(samples))


@dataclass(frozen=True)
class CommandTiming:
    """A whole command's cost: the wall time a user waits, and the CPU time it burns (user and
    system, the command's children included), which shared, noisy machines disturb far less.
    """

    wall: Timing
    cpu: Timing


def time_command(
    argv: Sequence[str],
    *,
    runs: int = 10,
    warmup: int = 1,
    env: Mapping[str, str] | None = None,
) -> CommandTiming:
    """Time a command as a user runs it, start-up included; it must exit 0."""
    wall: list[float] = []
    cpu: list[float] = []
    for run in range(warmup + runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(list(argv), check=True, capture_output=True, env=env)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run >= warmup:
            wall.append(elapsed * 1000)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu.append(used * 1000)
    return CommandTiming(Timing(tuple(wall)), Timing(tuple(cpu)))


def print_figure(name: str, value: float, unit: str, *, target: str | None = None) -> None:
    line = f"{name:<48} {value:>10.1f} {unit}"
    if target:
        line += f"   (target {target})"
    print(line)  # noqa: T201 - benchmarks print their figures
