"""Following a launch's progress stream to its end, through dropped connections and restarts
of prismd.

Every progress event carries the whole picture, and prismd answers a new subscription with the
launch as it stands (after a restart too: it reads the workstation's state and follows its
instance in EC2). So a lost stream is simply subscribed to again. Only when that fails a few
times in a row does following stop, saying that the launch may well still be running.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from groundwork.errors import ExitCode, ToolError
from prism.daemon.client import DaemonClient
from prism.daemon.config import progress_read_timeout
from prism.workstations.results import LaunchResult, ProgressUpdate

__all__ = ["RECONNECTS", "follow_launch"]

RECONNECTS = 3
_BACKOFF_SECONDS = (0.0, 1.0, 2.0)
_LOST_CONNECTION = ("PRISM_DAEMON_UNREACHABLE", "PRISM_DAEMON_START_FAILED")


def follow_launch(
    client: DaemonClient,
    name: str,
    *,
    on_progress: Callable[[ProgressUpdate], None],
    on_reconnect: Callable[[str, int], None],
) -> LaunchResult:
    """The launch's result; its failure raised as the daemon's error."""
    import httpx  # deferred with the stream itself: only a launch needs it

    path = f"/api/v1/workstations/{name}/progress"
    lost = 0
    while True:
        failure: ToolError | None = None
        try:
            for event in client.events(path, read_timeout=progress_read_timeout()):
                lost = 0
                if event.event == "progress":
                    on_progress(ProgressUpdate.model_validate_json(event.data))
                elif event.event == "result":
                    return LaunchResult.model_validate_json(event.data)
                elif event.event == "error":
                    failure = ToolError.from_problem(json.loads(event.data))
                    break
            reason = "prismd ended the stream before the launch ended"
        except httpx.ReadTimeout:
            reason = (
                f"prismd sent nothing, not even a keep-alive, for {progress_read_timeout():g} s"
            )
        except httpx.TransportError as exc:
            reason = f"the connection to prismd broke ({type(exc).__name__}: {exc or 'closed'})"
        except ToolError as exc:
            if exc.code not in _LOST_CONNECTION and not exc.transient:
                raise
            reason = exc.message.rstrip(".")
        if failure is not None:
            raise failure
        lost += 1
        if lost > RECONNECTS:
            raise ToolError(
                "PRISM_PROGRESS_LOST",
                f"Lost the progress of {name}'s launch and could not get it back: {reason}."
                " The launch may still be running.",
                suggestions=[
                    f"Check where it is: prism list (or prism info {name})",
                    "If prismd is stuck, restart it: prism daemon stop && prism daemon start",
                ],
                exit_code=ExitCode.UNAVAILABLE,
            )
        on_reconnect(reason, lost)
        time.sleep(_BACKOFF_SECONDS[lost - 1])
        client.forget()
