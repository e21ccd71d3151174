from __future__ import annotations

import pytest

from groundwork.errors import ToolError
from groundwork.retry import BreakerState, CircuitBreaker, RetryPolicy


def flaky(failures: int, *, transient: bool = True) -> tuple[list[int], object]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise ToolError(
                "DEMO_THROTTLED", "slow down", suggestions=["wait"], transient=transient
            )
        return "ok"

    return calls, call


def test_transient_errors_are_retried_with_capped_jittered_waits() -> None:
    waits: list[float] = []
    policy = RetryPolicy(
        "demo", attempts=5, initial_seconds=1, max_wait_seconds=3, sleep=waits.append
    )
    calls, call = flaky(3)
    assert policy.call(call) == "ok"  # type: ignore[arg-type]
    assert len(calls) == 4
    assert len(waits) == 3
    assert all(0 <= w <= 3 for w in waits)


def test_permanent_errors_are_not_retried_and_attempts_are_bounded() -> None:
    policy = RetryPolicy("demo", attempts=3, sleep=lambda _s: None)
    calls, call = flaky(10, transient=False)
    with pytest.raises(ToolError):
        policy.call(call)  # type: ignore[arg-type]
    assert len(calls) == 1
    calls, call = flaky(10)
    with pytest.raises(ToolError):
        policy.call(call)  # type: ignore[arg-type]
    assert len(calls) == 3


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_n_failures_and_half_opens_after_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker("pricing api", failure_threshold=3, reset_seconds=30, clock=clock)

    def down() -> None:
        raise ConnectionError("refused")

    for _ in range(3):
        with pytest.raises(ConnectionError):
            breaker.call(down)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(ToolError) as fast:
        breaker.call(lambda: "never called")
    assert fast.value.code == "GROUNDWORK_CIRCUIT_OPEN"
    assert breaker.check().status == "error"

    clock.now = 31
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(ConnectionError):
        breaker.call(down)
    assert breaker.state is BreakerState.OPEN

    clock.now = 62
    assert breaker.call(lambda: "up again") == "up again"
    assert breaker.state is BreakerState.CLOSED
