"""How prismd tells people what it did by itself: an event in prism.db (shown by `idle status`,
`project info`), a line in the daemon log, a notice the next prism command prints, and a
notification on the live event stream (the dashboard, the TUI).
"""

from __future__ import annotations

from pathlib import Path

from groundwork.logs import get_logger
from prism import notices
from prism.daemon.events import EventBus
from prism.records import Event, Records

__all__ = ["Notifier"]

log = get_logger("prism.daemon")


class Notifier:
    def __init__(self, home: Path, records: Records, bus: EventBus | None = None) -> None:
        self.home = home
        self.records = records
        self.bus = bus

    def __call__(
        self,
        kind: str,
        text: str,
        *,
        workstation: str | None = None,
        project: str | None = None,
    ) -> Event:
        event = self.records.log(kind, text, workstation=workstation, project=project)
        log.warning(text, kind=kind, workstation=workstation, project=project)
        if self.bus is not None:
            self.bus.notified(event)
        try:
            notices.post(self.home, event.at, text)
        except OSError as exc:
            log.error("could not write the notice for the next command", error=str(exc))
        return event
