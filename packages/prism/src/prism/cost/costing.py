"""Costs of everything prism runs and stores, for `prism cost` and for budgets.

Workstations come from prism's records (every state change with its time, deleted workstations
included); disks, volumes and snapshots from the ledger, which one scan of AWS keeps current.
Both become :class:`~prism.cost.accrual.Segment` s, summed over whatever window is asked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from groundwork.errors import ToolError
from groundwork.logs import get_logger
from prism.choices import CostBy
from prism.cloud.inventory import scan
from prism.cloud.session import CloudSession
from prism.cost.accrual import HOURS_PER_MONTH, Segment, workstation_segments
from prism.cost.ledger import Ledger, LedgerEntry
from prism.cost.model import CostGroup, CostLine, CostReport
from prism.cost.prices import Price, PriceBook
from prism.cost.spot import SpotPrices
from prism.workstations.model import Workstation, WorkstationState
from prism.workstations.store import WorkstationStore

__all__ = ["Costing", "Priced"]

log = get_logger("prism.cost")

SCAN_FRESH_SECONDS = 60.0
_LIVE = (WorkstationState.DELETED, WorkstationState.GONE, WorkstationState.FAILED)
NOTES = (
    "Spot workstations are priced at their current spot price for all their running time.",
    "EFS volumes are priced at the size they store now: AWS reports no earlier sizes.",
    "Snapshots are priced at their disk's full size, an upper bound: EBS bills only the blocks"
    " each snapshot adds.",
)


@dataclass(frozen=True)
class Priced:
    """Lines and the segments they were made of, before grouping."""

    lines: list[CostLine]
    segments: list[Segment]


class Costing:
    def __init__(
        self,
        home: Path,
        store: WorkstationStore,
        active: Callable[[], CloudSession],
        session_for: Callable[[Workstation], CloudSession],
    ) -> None:
        self.home = home
        self.store = store
        self.ledger = Ledger(store.records)
        self.active = active
        self.session_for = session_for
        self.spot = SpotPrices()
        self.storage_prices = PriceBook(home / "cache" / "prices.json")
        self._books: dict[str, PriceBook] = {}
        self._scanned: dict[str, float] = {}
        self._lock = threading.Lock()

    def book(self, cloud: CloudSession) -> PriceBook:
        with self._lock:
            book = self._books.get(cloud.profile.name)
            if book is None:
                pricing = None if cloud.simulated else cloud.client("pricing")
                book = PriceBook(self.home / "cache" / "prices.json", pricing)
                self._books[cloud.profile.name] = book
            return book

    def refresh(self, *, force: bool = False) -> None:
        """Scan AWS for disks, volumes and snapshots (the active profile), at most once a
        minute unless forced (after prism changed them).
        """
        cloud = self.active()
        key = f"{cloud.profile.name}/{cloud.region}"
        with self._lock:
            fresh = time.monotonic() - self._scanned.get(key, -1e9) < SCAN_FRESH_SECONDS
        if fresh and not force:
            return
        seen = scan(cloud)
        self.ledger.sync(cloud.profile.name, cloud.region, seen, self.store.clock.now())
        with self._lock:
            self._scanned[key] = time.monotonic()

    def forget_scan(self) -> None:
        with self._lock:
            self._scanned.clear()

    def priced(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        project: str | None = None,
        name: str | None = None,
    ) -> Priced:
        """Every cost line (of one project, or one workstation and what belongs to it)."""
        now = until or self.store.clock.now()
        workstations = self.store.list(include_deleted=True)
        by_instance = {ws.instance_id: ws.name for ws in workstations if ws.instance_id}
        lines: list[CostLine] = []
        segments: list[Segment] = []
        for ws in workstations:
            if (project and ws.project != project) or (name and ws.name != name):
                continue
            line, parts = self._workstation(ws, since, now)
            if parts or ws.state not in _LIVE:
                lines.append(line)
                segments.extend(parts)
        for entry in self.ledger.entries():
            owner = entry.workstation or by_instance.get(entry.attached_to or "")
            if (project and entry.project != project) or (name and owner != name):
                continue
            line, parts = self._stored(entry, owner, since, now)
            if line.total_usd > 0 or entry.deleted_at is None:
                lines.append(line)
                segments.extend(parts)
        return Priced(lines, segments)

    def report(
        self,
        *,
        name: str | None = None,
        project: str | None = None,
        by: CostBy | None = None,
        since: datetime | None = None,
    ) -> CostReport:
        try:
            self.refresh()
        except ToolError as exc:
            log.warning("could not scan storage for costs", error=exc.message)
        now = self.store.clock.now()
        priced = self.priced(since=since, until=now, project=project, name=name)
        groups = _groups(priced.segments, by, since, now) if by else []
        cloud = self.active()
        notes = [
            *NOTES,
            f"Disks, volumes and snapshots are those of profile {cloud.profile.name}"
            f" ({cloud.region}).",
        ]
        return CostReport(
            costs=sorted(priced.lines, key=lambda c: (c.kind != "workstation", c.kind, c.name)),
            total_usd=round(sum(c.total_usd for c in priced.lines), 4),
            by=by.value if by else None,
            groups=groups,
            project=project,
            since=since,
            until=now,
            notes=notes,
        )

    def hourly(self, ws: Workstation) -> tuple[Price, float]:
        """A workstation's compute price (spot for spot) and its root disk's cost per hour."""
        cloud = self.session_for(ws)
        book = self.book(cloud)
        price = book.hourly(ws.instance_type, ws.region)
        if ws.spot:
            ec2 = None if cloud.simulated else cloud.client("ec2")
            price = self.spot.price(
                ec2,
                ws.instance_type,
                ws.availability_zone,
                price,
                book.spot_factor,
                self.store.clock.now(),
            )
        disks = ws.root_volume_gb + ws.data_disks_gb
        storage = disks * book.ebs_gb_month("gp3", ws.region) / HOURS_PER_MONTH
        return price, storage

    def _workstation(
        self, ws: Workstation, since: datetime | None, now: datetime
    ) -> tuple[CostLine, list[Segment]]:
        price, storage = self.hourly(ws)
        parts = workstation_segments(
            ws,
            self.store.history(ws.name),
            compute_hourly=price.hourly,
            storage_hourly=storage,
            now=now,
        )
        parts = [p for p in parts if p.hours(since, now) > 0]

        def hours(state: str) -> float:
            return sum(p.hours(since, now) for p in parts if p.kind == "ebs" and p.state == state)

        compute = sum(p.usd(since, now) for p in parts if p.kind == "compute")
        stored = sum(p.usd(since, now) for p in parts if p.kind == "ebs")
        gone = ws.state in _LIVE
        detail = f"{ws.instance_type}{', spot' if ws.spot else ''}, {ws.state}"
        line = CostLine(
            name=ws.name,
            kind="workstation",
            project=ws.project,
            workstation=ws.name,
            resource_id=ws.instance_id,
            detail=detail + f", {ws.root_volume_gb + ws.data_disks_gb} GiB of disks",
            instance_type=ws.instance_type,
            hourly_usd=round(price.hourly, 4),
            price_source=price.source,
            spot=ws.spot,
            running_hours=round(hours("running"), 3),
            stopped_hours=round(hours("stopped"), 3),
            hibernated_hours=round(hours("hibernated"), 3),
            compute_usd=round(compute, 4),
            storage_usd=round(stored, 4),
            total_usd=round(compute + stored, 4),
            simulated=ws.simulated,
            deleted=gone,
        )
        return line, parts

    def _stored(
        self, entry: LedgerEntry, owner: str | None, since: datetime | None, now: datetime
    ) -> tuple[CostLine, list[Segment]]:
        book = self.storage_prices
        per_gb = {
            "disk": book.ebs_gb_month(entry.volume_type, entry.region),
            "volume": book.efs_gb_month(entry.region),
            "snapshot": book.snapshot_gb_month(entry.region),
        }[entry.kind]
        hourly = entry.size_gb * per_gb / HOURS_PER_MONTH
        kind = {"disk": "ebs", "volume": "efs", "snapshot": "snapshot"}[entry.kind]
        end = entry.deleted_at or now
        segment = Segment(
            f"{entry.kind}:{entry.resource_id}",
            kind,
            kind,
            entry.created_at,
            end,
            hourly,
            owner,
            entry.project,
        )
        parts = [segment] if segment.hours(since, now) > 0 else []
        usd = segment.usd(since, now)
        size = f"{entry.size_gb:.3g} GiB" if entry.kind == "volume" else f"{entry.size_gb:g} GiB"
        line = CostLine(
            name=entry.name,
            kind=entry.kind,
            project=entry.project,
            workstation=owner,
            resource_id=entry.resource_id,
            detail=_stored_detail(entry, size),
            hourly_usd=round(hourly if entry.deleted_at is None else 0.0, 6),
            price_source="bundled",
            storage_usd=round(usd, 4),
            total_usd=round(usd, 4),
            simulated=entry.simulated,
            deleted=entry.deleted_at is not None,
        )
        return line, parts


def _stored_detail(entry: LedgerEntry, size: str) -> str:
    if entry.deleted_at is not None:
        return f"{size}, deleted {entry.deleted_at:%Y-%m-%d %H:%M}"
    if entry.kind == "disk":
        where = f"attached to {entry.attached_to}" if entry.attached_to else "unattached"
        return f"{size} {entry.volume_type}, {where}"
    if entry.kind == "volume":
        mounted = ", ".join(entry.mounted_on) or "nothing"
        return f"{size} stored, mounted on {mounted}"
    return f"{size} disk snapshot"


def _groups(
    segments: Sequence[Segment], by: CostBy, since: datetime | None, until: datetime
) -> list[CostGroup]:
    totals: dict[str, list[float]] = {}

    def add(key: str, segment: Segment, usd: float) -> None:
        entry = totals.setdefault(key, [0.0, 0.0])
        entry[0 if segment.kind == "compute" else 1] += usd

    for segment in segments:
        if by is CostBy.DAY:
            for day, usd in segment.by_day(since, until):
                add(day, segment, usd)
        elif by is CostBy.WORKSTATION:
            add(segment.workstation or "(no workstation)", segment, segment.usd(since, until))
        else:
            add(segment.kind, segment, segment.usd(since, until))
    return [
        CostGroup(
            key=key,
            compute_usd=round(compute, 4),
            storage_usd=round(storage, 4),
            total_usd=round(compute + storage, 4),
        )
        for key, (compute, storage) in sorted(totals.items())
    ]
