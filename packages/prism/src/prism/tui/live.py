"""prismd's live events in the TUI: a workstation's change shows the moment prismd saves it, a
notification (a launch finished, an idle action, a budget alert) on the message line, without
waiting for the next poll. Polling stays, slower, as the fallback: when the stream is down the
panes still catch up, and each reconnection looks once so nothing missed meanwhile is lost.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from groundwork.errors import ToolError
from prism.tui.base import say

if TYPE_CHECKING:
    from prism.tui.app import PrismApp

__all__ = ["EVENTS_PATH", "follow_events"]

EVENTS_PATH = "/api/v1/events"
_RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0)


async def follow_events(app: PrismApp) -> None:
    """Until the app closes (which cancels this task and closes the connection)."""
    import httpx

    from prism.daemon.config import progress_read_timeout
    from prism.daemon.events import NotificationEvent, WorkstationEvent
    from prism.tui.workstations import WorkstationsPane

    failures = 0
    while True:
        try:
            stream = app.client.aevents(EVENTS_PATH, read_timeout=progress_read_timeout())
            async for event in stream:
                failures = 0
                if event.event == "workstation":
                    changed = WorkstationEvent.model_validate_json(event.data)
                    app.query_one(WorkstationsPane).changed(changed.workstation)
                elif event.event == "notification":
                    note = NotificationEvent.model_validate_json(event.data).notification
                    say(app, note.text)
        except (httpx.HTTPError, ToolError):
            pass  # prismd restarting or out of reach: polling goes on, the stream comes back
        failures += 1
        await asyncio.sleep(_RETRY_SECONDS[min(failures, len(_RETRY_SECONDS)) - 1])
        app.poll()
