"""Timing helpers for the tools' `bench/` scripts: repeat, take the median, print beside a target.

Benchmarks print figures rather than assert them; this keeps the figures comparable across tools.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Timing", "print_figure", "time_call", "time_command"]


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


def time_command(argv: Sequence[str], *, runs: int = 10, warmup: int = 1) -> Timing:
    """Wall time of a whole command, start-up included, as a user waits for it."""

    def once() -> None:
        subprocess.run(list(argv), check=True, capture_output=True)

    return time_call(once, runs=runs, warmup=warmup)


def print_figure(name: str, value: float, unit: str, *, target: str | None = None) -> None:
    line = f"{name:<48} {value:>10.1f} {unit}"
    if target:
        line += f"   (target {target})"
    print(line)  # noqa: T201 - benchmarks print their figures
