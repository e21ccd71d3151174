"""How prismd tells people what it did by itself: an event in prism.db (shown by `idle status`,
`project info`), a line in the daemon log, and a notice the next prism command prints.
"""

from __future__ import annotations

from pathlib import Path

from groundwork.logs import get_logger
from prism import notices
from prism.records import Event, Records

__all__ = ["Notifier"]

log = get_logger("prism.daemon")


class Notifier:
    def __init__(self, home: Path, records: Records) -> None:
        self.home = home
        self.records = records

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
        try:
            notices.post(self.home, event.at, text)
        except OSError as exc:
            log.error("could not write the notice for the next command", error=str(exc))
        return event
