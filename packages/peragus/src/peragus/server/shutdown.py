"""Stopping the server gracefully: running cells are stopped (SIGTERM, then SIGKILL after their
grace), tsservers stopped, saves in progress finished, and what was stopped said on stderr.
A second Ctrl+C while that happens kills everything at once and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

from groundwork.logs import get_logger
from peragus.execution.runner import CellRun
from peragus.server.websocket import Notebooks

__all__ = ["shut_down"]

log = get_logger("peragus.server")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@contextlib.contextmanager
def _second_interrupt_forces(
    notebooks: Notebooks, runs: list[CellRun], say: Callable[[str], None]
) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def force(_sig: int, _frame: FrameType | None) -> None:
        for run in runs:
            run.kill()
        notebooks.language.kill_all()
        say("peragus: forced to stop: cells and tsservers killed at once.")
        os._exit(130)

    previous = signal.signal(signal.SIGINT, force)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


async def shut_down(notebooks: Notebooks, say: Callable[[str], None] = _say) -> str:
    """Stops everything; returns the sentence it said."""
    runs = [
        (session.id, run) for session in notebooks.sessions.all() for run in session.runs.values()
    ]
    tsservers = notebooks.language.count()
    with _second_interrupt_forces(notebooks, [run for _, run in runs], say):
        if runs or tsservers:  # said once a second Ctrl+C would force
            say("peragus: stopping (Ctrl+C again to force)…")
        await asyncio.gather(*(asyncio.to_thread(run.stop, "shutdown") for _, run in runs))
        await notebooks.language.stop_all()
        await asyncio.to_thread(notebooks.sessions.flush)
    notebooks.runs.shutdown(wait=False, cancel_futures=True)
    stopped = ", ".join(f"{run.filename} in {name}" for name, run in runs)
    message = (
        f"peragus stopped: {_plural(len(runs), 'running cell')}"
        + (f" ({stopped})" if stopped else "")
        + f" and {_plural(tsservers, 'tsserver')} stopped; every edit was saved."
    )
    log.info("shutdown", cells=len(runs), tsservers=tsservers)
    say(message)
    return message
