"""Starting prismd for the CLI, and waiting exactly as long as its start takes.

The daemon reports each stage of its start on a pipe (:mod:`prism.daemon.startup`): the CLI
shows them, returns once the daemon is ready, and gives up only when the daemon says why it
cannot start or dies (the pipe closes), never after a fixed time, so a slow machine is not a
broken one. The error names the reason and the log files that exist.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rich.console import Console

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import open_private_log
from groundwork.paths import private_dir
from groundwork.service import ServiceConfig, ServiceInfo, read_service_info
from prism.daemon.startup import STAGES
from prism.home import ENV_VAR, log_dir

__all__ = ["start_daemon"]


def start_daemon(home: Path, config: ServiceConfig) -> ServiceInfo:
    """Start prismd unless another command is starting it already: then use that one."""
    with _starting(home):
        return read_service_info(config) or _spawn(home, config)


@contextlib.contextmanager
def _starting(home: Path) -> Iterator[None]:
    """Held while a command starts the daemon, so two commands run at once start one daemon
    (two would race for the token and the database before either held the daemon's lock).
    """
    try:
        private_dir(home)
        descriptor = os.open(home / "prismd.start.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield  # the daemon will say what is wrong with the folder
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _spawn(home: Path, config: ServiceConfig) -> ServiceInfo:
    logs = log_dir()
    read_end, write_end = os.pipe()
    output = _output_file(logs)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "prism.daemon.main", "--report-fd", str(write_end)],
            pass_fds=(write_end,),
            stdout=output if output is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, ENV_VAR: str(home)},
        )
    finally:
        os.close(write_end)
        if output is not None:
            output.close()
    failure: ToolError | None = None
    with (
        os.fdopen(read_end, "rb") as reports,
        Console(stderr=True).status("Starting prismd") as shown,
    ):
        for line in reports:
            report = _decode(line)
            if "stage" in report:
                shown.update(f"Starting prismd: {STAGES.get(str(report['stage']), '...')}")
            elif "ready" in report:
                info = read_service_info(config)
                if info is not None:
                    return info
            elif "failed" in report:
                failure = ToolError.from_problem(report["failed"])
                break
    exit_status = _exit_status(process)
    if failure is not None and failure.code == "GROUNDWORK_SERVICE_ALREADY_RUNNING":
        # A prismd started some other way (by hand) won the race for the lock; use it.
        info = read_service_info(config)
        if info is not None:
            return info
    raise _start_failed(failure, exit_status, logs)


def _output_file(logs: Path) -> IO[str] | None:
    """Where the daemon's stdout and stderr go: a private file beside its log, or nowhere when
    the folder cannot be made (the daemon then reports that itself).
    """
    try:
        return open_private_log(logs / "prismd.out")
    except OSError:
        return None


def _decode(line: bytes) -> dict[str, Any]:
    try:
        report = json.loads(line)
    except ValueError:
        return {}
    return report if isinstance(report, dict) else {}


def _exit_status(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def _start_failed(failure: ToolError | None, exit_status: int | None, logs: Path) -> ToolError:
    written = [p for p in (logs / "prismd.log", logs / "prismd.out") if _has_text(p)]
    if failure is not None:
        reason, suggestions = failure.message, list(failure.suggestions)
    else:
        reason = _how_it_ended(exit_status)
        last = _last_line(logs / "prismd.out")
        if last:
            reason += f" Its last words: {last}"
        suggestions = []
    suggestions += [f"Read its log: {path}" for path in written] or [
        f"It could not write a log in {logs}: fix the reason above first."
    ]
    return ToolError(
        "PRISM_DAEMON_START_FAILED",
        f"prismd could not start. {reason}",
        suggestions=suggestions,
        context={
            "cause": failure.code if failure is not None else "exited",
            "logs": ", ".join(str(p) for p in written) or "none written",
        },
        exit_code=ExitCode.UNAVAILABLE,
    )


def _how_it_ended(exit_status: int | None) -> str:
    if exit_status is None:
        return "It stopped reporting before it was ready."
    if exit_status < 0:
        return f"It was killed by signal {-exit_status} before it was ready."
    return f"It exited with code {exit_status} before it was ready."


def _has_text(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:300] if lines else ""
