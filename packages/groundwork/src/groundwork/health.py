"""Named health checks, shared by `<tool> doctor` and a service's `/readyz`.

A check is a plain function returning a :class:`CheckResult`. The registry runs them
concurrently (a slow network probe should not hold up a file-permission check) and turns a check
that raises into an error result, so one broken check never hides the others.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = [
    "CheckResult",
    "HealthRegistry",
    "Status",
    "command_check",
    "doctor_table",
    "folder_check",
    "worst",
]


class Status(StrEnum):
    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_STYLE = {
    Status.OK: "green",
    Status.INFO: "blue",
    Status.WARNING: "yellow",
    Status.ERROR: "bold red",
}


@dataclass(frozen=True)
class CheckResult:
    """What one check found. ``fix`` says what to do when the status is not ok."""

    name: str
    status: Status
    message: str
    fix: str | None = None
    duration_ms: float = 0.0


CheckFn = Callable[[], "CheckResult | tuple[Status, str] | tuple[Status, str, str | None]"]


@dataclass
class _Check:
    name: str
    fn: CheckFn
    readiness: bool


@dataclass
class HealthRegistry:
    """Checks by name. ``readiness`` marks those a service's `/readyz` should run too.

    Checks run in threads at once, so a check's module imports what the check uses up front:
    two threads importing one package for the first time can deadlock on its import locks.
    """

    timeout_seconds: float = 10.0
    _checks: dict[str, _Check] = field(default_factory=dict)

    def register(self, name: str, fn: CheckFn, *, readiness: bool = True) -> None:
        if name in self._checks:
            raise ValueError(f"health check {name!r} is registered twice")
        self._checks[name] = _Check(name, fn, readiness)

    def check(self, name: str, *, readiness: bool = True) -> Callable[[CheckFn], CheckFn]:
        """Decorator form of :meth:`register`."""

        def decorate(fn: CheckFn) -> CheckFn:
            self.register(name, fn, readiness=readiness)
            return fn

        return decorate

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    def run(self, *, readiness_only: bool = False) -> list[CheckResult]:
        """Run the checks concurrently and return results in registration order.

        Each check runs in a daemon thread, so one that hangs is reported after the time limit
        and never holds up the answer, nor the exit of the process asking.
        """
        checks = [c for c in self._checks.values() if c.readiness or not readiness_only]
        found: dict[str, CheckResult] = {}
        threads = []
        for check in checks:
            thread = threading.Thread(
                target=lambda c=check: found.__setitem__(c.name, _run_one(c)),
                name=f"health check {check.name}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        deadline = time.monotonic() + self.timeout_seconds
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [
            found.get(check.name)
            or CheckResult(
                check.name,
                Status.ERROR,
                f"did not finish within {self.timeout_seconds:g} s",
                "Run the check again; if it keeps timing out, see the log.",
            )
            for check in checks
        ]

    async def arun(self, *, readiness_only: bool = False) -> list[CheckResult]:
        """The async form, for services: runs the checks off the event loop."""
        import asyncio  # deferred: CLIs that only run `doctor` never need an event loop

        return await asyncio.to_thread(self.run, readiness_only=readiness_only)


def _run_one(check: _Check) -> CheckResult:
    started = time.perf_counter()
    try:
        outcome = check.fn()
    except Exception as exc:  # noqa: BLE001 - a broken check is itself a finding
        outcome = CheckResult(
            check.name,
            Status.ERROR,
            f"the check itself failed: {type(exc).__name__}: {exc}",
            "This is a bug in the check; run with --debug and report it.",
        )
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    if isinstance(outcome, CheckResult):
        return CheckResult(outcome.name, outcome.status, outcome.message, outcome.fix, elapsed)
    status, message, *rest = outcome
    return CheckResult(check.name, Status(status), message, rest[0] if rest else None, elapsed)


def worst(results: Sequence[CheckResult]) -> Status:
    order = [Status.OK, Status.INFO, Status.WARNING, Status.ERROR]
    return max((r.status for r in results), key=order.index, default=Status.OK)


def doctor_table(results: Sequence[CheckResult], *, title: str = "doctor") -> RenderableType:
    """The results as people read them: one row per check, then a count by status."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("message")
    table.add_column("fix", style="cyan")
    for r in results:
        table.add_row(
            escape(r.name),
            f"[{_STYLE[r.status]}]{r.status}[/]",
            escape(r.message),
            escape(r.fix or ""),
        )
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return Group(table, f"[{_STYLE[worst(results)]}]{summary or 'no checks'}[/]")


def folder_check(label: str, path: Path) -> CheckFn:
    """A check that a tool's own folder exists (or can be made), is writable and private."""

    def check() -> CheckResult:
        if not path.exists():
            return CheckResult(
                label, Status.INFO, f"{path} does not exist yet", "It is created on first use."
            )
        if not path.is_dir():
            return CheckResult(
                label, Status.ERROR, f"{path} is not a folder", f"Move {path} out of the way."
            )
        if not os.access(path, os.W_OK | os.X_OK):
            return CheckResult(
                label,
                Status.ERROR,
                f"{path} is not writable",
                f"Fix its owner: chown -R $USER {path}",
            )
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            return CheckResult(
                label,
                Status.WARNING,
                f"{path} is readable by other users (mode {mode:o})",
                f"chmod 700 {path}",
            )
        return CheckResult(label, Status.OK, f"{path} is private and writable")

    return check


def command_check(
    command: str, *, version_args: Sequence[str] = ("--version",), required: bool = True, why: str
) -> CheckFn:
    """A check that an external program is on PATH, reporting its version line."""

    def check() -> CheckResult:
        found = shutil.which(command)
        if found is None:
            return CheckResult(
                command,
                Status.ERROR if required else Status.WARNING,
                f"{command} is not on PATH; {why}",
                f"Install {command} (e.g. apt-get install {command}) and run doctor again.",
            )
        try:
            done = subprocess.run(
                [found, *version_args], capture_output=True, text=True, timeout=10, check=False
            )
            first_line = (done.stdout or done.stderr).strip().splitlines()
            version = first_line[0] if first_line else "version unknown"
        except (OSError, subprocess.TimeoutExpired) as exc:
            version = f"did not report a version ({exc})"
        return CheckResult(command, Status.OK, f"{version} at {found}")

    return check
