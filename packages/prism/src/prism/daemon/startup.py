"""How prismd tells the CLI that started it how its start is going.

The CLI hands the daemon the write end of a pipe (``--report-fd``). The daemon writes one JSON
line per stage it enters, then ``ready`` or ``failed`` with the reason as problem+json, and
closes it. The CLI reads until one of those, or until the pipe closes because the daemon died:
it waits exactly as long as the start takes, and never mistakes a slow start for a dead one.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

from groundwork.errors import ToolError, to_problem

__all__ = ["STAGES", "StartReporter"]

STAGES = {
    "log": "opening its log",
    "state": "opening its state (token, profiles, database)",
    "listen": "taking its lock and port",
    "recover": "looking for launches a previous daemon left unfinished",
}


class StartReporter:
    """The daemon's side; without a descriptor (prismd run by hand) it says nothing."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def stage(self, name: str) -> None:
        self._send({"stage": name})

    def ready(self, url: str) -> None:
        self._send({"ready": url})
        self.close()

    def failed(self, error: ToolError) -> None:
        self._send({"failed": to_problem(error)})
        self.close()

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _send(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            return
        try:
            os.write(self._fd, json.dumps(record).encode() + b"\n")
        except OSError:  # the CLI that started it has gone; the daemon carries on regardless
            self.close()
