"""Retrying what may succeed next time, and not hammering what is down.

A :class:`RetryPolicy` retries only errors marked transient (throttling, a dropped connection),
with exponential backoff and full jitter so many clients don't retry in step, a cap on each wait
and a deadline on the whole. A :class:`CircuitBreaker` stops calling a service after repeated
failures and lets one trial call through after a cool-down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import tenacity

from groundwork.errors import ExitCode, ToolError
from groundwork.health import CheckResult, Status
from groundwork.logs import get_logger

__all__ = ["BreakerState", "CircuitBreaker", "RetryPolicy", "is_transient"]

T = TypeVar("T")
log = get_logger("groundwork.retry")


def is_transient(exc: BaseException) -> bool:
    """Errors say themselves whether trying again can help (``ToolError(transient=True)``)."""
    if isinstance(exc, ToolError):
        return exc.transient
    return bool(getattr(exc, "transient", False)) or isinstance(exc, ConnectionError | TimeoutError)


@dataclass(frozen=True)
class RetryPolicy:
    """A named policy, so logs say which one gave up ("aws-describe after 5 attempts")."""

    name: str
    attempts: int = 5
    initial_seconds: float = 0.2
    max_wait_seconds: float = 5.0
    deadline_seconds: float = 30.0
    retry_on: Callable[[BaseException], bool] = is_transient
    sleep: Callable[[float], None] = time.sleep

    def _options(self) -> dict[str, Any]:
        def log_retry(state: tenacity.RetryCallState) -> None:
            outcome = state.outcome
            log.info(
                "retrying",
                policy=self.name,
                attempt=state.attempt_number,
                wait_s=round(state.upcoming_sleep, 3),
                error=repr(outcome.exception()) if outcome else None,
            )

        return {
            "stop": tenacity.stop_after_attempt(self.attempts)
            | tenacity.stop_after_delay(self.deadline_seconds),
            "wait": tenacity.wait_random_exponential(
                multiplier=self.initial_seconds, max=self.max_wait_seconds
            ),
            "retry": tenacity.retry_if_exception(self.retry_on),
            "before_sleep": log_retry,
            "reraise": True,
        }

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        retrying = tenacity.Retrying(sleep=self.sleep, **self._options())
        return retrying(fn, *args, **kwargs)

    async def acall(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        retrying = tenacity.AsyncRetrying(**self._options())
        return await retrying(fn, *args, **kwargs)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass
class CircuitBreaker:
    """Closed: calls go through. After ``failure_threshold`` failures in a row: open, calls fail
    at once. After ``reset_seconds``: half-open, one trial call; success closes, failure reopens.
    """

    name: str
    failure_threshold: int = 5
    reset_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = field(default=0, init=False)
    _opened_at: float | None = field(default=None, init=False)
    _trial_running: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened_at >= self.reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self._before()
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            self._record(success=False)
            raise
        self._record(success=True)
        return result

    async def acall(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        self._before()
        try:
            result = await fn(*args, **kwargs)
        except BaseException:
            self._record(success=False)
            raise
        self._record(success=True)
        return result

    def check(self) -> CheckResult:
        state = self.state
        if state is BreakerState.CLOSED:
            return CheckResult(self.name, Status.OK, "reachable (circuit closed)")
        return CheckResult(
            self.name,
            Status.ERROR if state is BreakerState.OPEN else Status.WARNING,
            f"circuit {state} after {self._failures} failures in a row",
            f"It tries again by itself {self.reset_seconds:g} s after the last failure.",
        )

    def _before(self) -> None:
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return
            assert self._opened_at is not None
            wait = max(0.0, self.reset_seconds - (self.clock() - self._opened_at))
        raise ToolError(
            "GROUNDWORK_CIRCUIT_OPEN",
            f"{self.name} failed {self._failures} times in a row, so calls to it are paused.",
            suggestions=[f"Wait {wait:.0f} s for the next trial call, or check that it is up."],
            context={"retry_after_seconds": round(wait, 1)},
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        )

    def _record(self, *, success: bool) -> None:
        with self._lock:
            self._trial_running = False
            if success:
                self._failures = 0
                self._opened_at = None
                return
            self._failures += 1
            if self._opened_at is not None or self._failures >= self.failure_threshold:
                self._opened_at = self.clock()
