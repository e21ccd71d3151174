"""What things have cost, as segments of time at an hourly rate.

A workstation pays for compute while running (and pending, and stopping), and for its root disk
whenever it exists: stopped and hibernated time pays storage only (a hibernated instance's
memory sits on its root disk); after deletion, nothing. Disks, volumes and snapshots pay for
their size from creation to deletion. Every figure of `prism cost` and every budget's spend is a
sum of these segments over a window (a budget's month, a day), so the two always agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from prism.workstations.model import Workstation, WorkstationState

__all__ = ["HOURS_PER_MONTH", "Segment", "overlap_hours", "workstation_segments"]

HOURS_PER_MONTH = 730.0
_COMPUTE = {WorkstationState.RUNNING, WorkstationState.PENDING, WorkstationState.STOPPING}
_STOPPED = {WorkstationState.STOPPED}
_HIBERNATED = {WorkstationState.HIBERNATED}


def overlap_hours(
    start: datetime, end: datetime, since: datetime | None, until: datetime | None
) -> float:
    lower = max(start, since) if since else start
    upper = min(end, until) if until else end
    return max(0.0, (upper - lower).total_seconds() / 3600)


@dataclass(frozen=True)
class Segment:
    item: str
    """The cost line it belongs to (``workstation:NAME``, ``disk:vol-...``)."""
    kind: str
    """compute, ebs, efs or snapshot: what `prism cost --by kind` groups by."""
    state: str
    """running, stopped or hibernated for a workstation's segments; the kind otherwise."""
    start: datetime
    end: datetime
    hourly_usd: float
    workstation: str | None
    project: str | None

    def hours(self, since: datetime | None = None, until: datetime | None = None) -> float:
        return overlap_hours(self.start, self.end, since, until)

    def usd(self, since: datetime | None = None, until: datetime | None = None) -> float:
        return self.hours(since, until) * self.hourly_usd

    def by_day(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[tuple[str, float]]:
        """(YYYY-MM-DD, USD) for each UTC day the segment touches within the window."""
        start = max(self.start, since) if since else self.start
        end = min(self.end, until) if until else self.end
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        while day < end:
            following = day + timedelta(days=1)
            yield day.strftime("%Y-%m-%d"), self.usd(max(day, start), min(following, end))
            day = following


def workstation_segments(
    ws: Workstation,
    history: Sequence[tuple[WorkstationState, datetime]],
    *,
    compute_hourly: float,
    storage_hourly: float,
    now: datetime,
) -> list[Segment]:
    item = f"workstation:{ws.name}"
    segments = []
    ends = [at for _, at in history[1:]] + [now]
    for (state, start), end in zip(history, ends, strict=True):
        if end <= start:
            continue
        if state in _COMPUTE:
            segments.append(
                Segment(item, "compute", "running", start, end, compute_hourly, ws.name, ws.project)
            )
            label = "running"
        elif state in _STOPPED:
            label = "stopped"
        elif state in _HIBERNATED:
            label = "hibernated"
        else:
            continue
        segments.append(
            Segment(item, "ebs", label, start, end, storage_hourly, ws.name, ws.project)
        )
    return segments
