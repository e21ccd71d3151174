"""What prism's storage costs, per disk, volume and snapshot; what is unused (`storage cleanup`
deletes it once confirmed); and what would cost less, with the saving each brings.

Recommendations: gp2 disks to gp3 (20% less, same performance or better, changed in place);
unattached disks and volumes mounted nowhere; root disks far larger than their workstation has
used (measured by its idle agent, ``RootDiskUsedPercent``); and workstations whose CPU, measured
by their agent over a week, would fit the next size down.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import get_logger
from prism.cloud.errors import aws_call
from prism.cloud.inventory import root_disks, scan
from prism.cloud.session import CloudSession
from prism.cloud.storage import delete_volume
from prism.cost.accrual import HOURS_PER_MONTH
from prism.cost.costing import Costing
from prism.cost.ledger import LedgerEntry
from prism.hygiene.model import (
    CleanupCandidate,
    CleanupPlan,
    Recommendation,
    StorageItem,
    StorageReport,
)
from prism.idle.metrics import statistic_series
from prism.workstations.model import Workstation, WorkstationState
from prism.workstations.sizes import smaller_type

__all__ = ["StorageCare"]

log = get_logger("prism.storage")

WEEK = timedelta(days=7)
_MIN_CPU_HOURS = 6
_CPU_MEAN_BELOW = 15.0
_CPU_PEAK_BELOW = 40.0
_ROOT_MIN_GB = 30


def _age(created: datetime, now: datetime) -> float:
    return round(max(0.0, (now - created).total_seconds() / 86400), 2)


class StorageCare:
    def __init__(self, costing: Costing) -> None:
        self.costing = costing
        self.store = costing.store

    def _monthly(self, entry: LedgerEntry) -> float:
        prices = self.costing.storage_prices
        per_gb = {
            "disk": prices.ebs_gb_month(entry.volume_type, entry.region),
            "root": prices.ebs_gb_month(entry.volume_type, entry.region),
            "volume": prices.efs_gb_month(entry.region),
            "snapshot": prices.snapshot_gb_month(entry.region),
        }[entry.kind]
        return round(entry.size_gb * per_gb, 2)

    def _entries(self, cloud: CloudSession) -> list[LedgerEntry]:
        """Everything that stores data now: prism's disks, volumes and snapshots, and the
        root disks of its workstations (or left behind by them).
        """
        seen = scan(cloud)
        self.costing.ledger.sync(cloud.profile.name, cloud.region, seen, self.store.clock.now())
        return [*seen, *root_disks(cloud)]

    def _items(self, cloud: CloudSession) -> list[tuple[LedgerEntry, StorageItem]]:
        now = self.store.clock.now()
        by_instance = {ws.instance_id: ws.name for ws in self.store.list() if ws.instance_id}
        found = []
        for entry in self._entries(cloud):
            owner = entry.workstation or by_instance.get(entry.attached_to or "")
            if entry.kind in ("disk", "root"):
                state = (
                    f"attached to {owner or entry.attached_to}"
                    if entry.attached_to
                    else "unattached"
                )
            elif entry.kind == "volume":
                state = (
                    f"mounted on {', '.join(entry.mounted_on)}"
                    if entry.mounted_on
                    else "mounted nowhere"
                )
            else:
                state = f"of {owner}" if owner else "snapshot"
            found.append(
                (
                    entry,
                    StorageItem(
                        kind=entry.kind,
                        name=entry.name,
                        resource_id=entry.resource_id,
                        project=entry.project,
                        workstation=owner,
                        size_gb=round(entry.size_gb, 3),
                        volume_type=entry.volume_type,
                        state=state,
                        created=entry.created_at,
                        age_days=_age(entry.created_at, now),
                        monthly_usd=self._monthly(entry),
                    ),
                )
            )
        return sorted(found, key=lambda pair: (pair[1].kind, pair[1].name))

    def report(self) -> StorageReport:
        cloud = self.costing.active()
        pairs = self._items(cloud)
        items = [item for _, item in pairs]
        advice = [*self._storage_advice(pairs), *self._workstation_advice(cloud)]
        advice.sort(key=lambda r: r.monthly_saving_usd, reverse=True)
        return StorageReport(
            items=items,
            total_gb=round(sum(i.size_gb for i in items), 3),
            total_monthly_usd=round(sum(i.monthly_usd for i in items), 2),
            recommendations=advice,
            total_saving_usd=round(sum(r.monthly_saving_usd for r in advice), 2),
            simulated=cloud.simulated,
        )

    def _storage_advice(self, pairs: list[tuple[LedgerEntry, StorageItem]]) -> list[Recommendation]:
        prices = self.costing.storage_prices
        advice = []
        for entry, item in pairs:
            if item.kind in ("disk", "root") and item.volume_type == "gp2":
                saving = item.size_gb * (
                    prices.ebs_gb_month("gp2", entry.region)
                    - prices.ebs_gb_month("gp3", entry.region)
                )
                advice.append(
                    Recommendation(
                        kind="gp2-to-gp3",
                        resource=item.name,
                        detail=f"{item.size_gb:g} GiB gp2: gp3 costs 20% less for the same or"
                        " better performance, and the change is made in place, online",
                        monthly_saving_usd=round(saving, 2),
                        command=f"aws ec2 modify-volume --volume-id {item.resource_id}"
                        " --volume-type gp3",
                    )
                )
            if item.state == "unattached":
                advice.append(
                    Recommendation(
                        kind="unattached-disk",
                        resource=item.name,
                        detail=f"{item.size_gb:g} GiB, unattached, {item.age_days:.0f} days old;"
                        " snapshot it first if its data may be needed",
                        monthly_saving_usd=item.monthly_usd,
                        command="prism storage cleanup",
                    )
                )
            if item.state == "mounted nowhere":
                advice.append(
                    Recommendation(
                        kind="unused-volume",
                        resource=item.name,
                        detail=f"{item.size_gb:.3g} GiB stored, mounted on no workstation",
                        monthly_saving_usd=item.monthly_usd,
                        command="prism storage cleanup",
                    )
                )
        return advice

    def _workstation_advice(self, cloud: CloudSession) -> list[Recommendation]:
        now = self.store.clock.now()
        advice = []
        for ws in self.store.list():
            measured = ws.state is WorkstationState.RUNNING and ws.idle_agent_minutes is not None
            if not measured or ws.profile != cloud.profile.name:
                continue
            try:
                cloudwatch = self.costing.session_for(ws).client("cloudwatch")
                advice += self._rightsize(ws, cloudwatch, now)
                advice += self._root_size(ws, cloudwatch, now)
            except ToolError as exc:
                log.warning("no measurements for advice", workstation=ws.name, error=exc.message)
        return advice

    def _rightsize(self, ws: Workstation, cloudwatch: Any, now: datetime) -> list[Recommendation]:
        hourly = statistic_series(cloudwatch, ws, "CPULoadPercent", now - WEEK, now)
        smaller = smaller_type(ws.instance_type)
        if len(hourly) < _MIN_CPU_HOURS or smaller is None:
            return []
        mean, peak = sum(hourly) / len(hourly), max(hourly)
        if mean >= _CPU_MEAN_BELOW or peak >= _CPU_PEAK_BELOW:
            return []
        book = self.costing.book(self.costing.session_for(ws))
        now_price = book.hourly(ws.instance_type, ws.region).hourly
        less = book.hourly(smaller, ws.region).hourly
        week = self.costing.priced(since=now - WEEK, until=now, name=ws.name).segments
        running = sum(s.hours(now - WEEK, now) for s in week if s.kind == "compute")
        monthly_hours = running * HOURS_PER_MONTH / (7 * 24)
        return [
            Recommendation(
                kind="rightsize",
                resource=ws.name,
                detail=f"{ws.instance_type}: CPU averaged {mean:.0f}% (hourly peak {peak:.0f}%)"
                f" over {len(hourly)} measured hours; {smaller} has half the CPUs and memory",
                monthly_saving_usd=round((now_price - less) * monthly_hours, 2),
                command=f"prism snapshot create {ws.name}, then prism snapshot restore SNAPSHOT"
                f" --as NEW --size (one size down); or launch the template with --size",
            )
        ]

    def _root_size(self, ws: Workstation, cloudwatch: Any, now: datetime) -> list[Recommendation]:
        used = statistic_series(
            cloudwatch,
            ws,
            "RootDiskUsedPercent",
            now - WEEK,
            now,
            period_seconds=86400,
            stat="Maximum",
        )
        if not used or ws.root_volume_gb < _ROOT_MIN_GB:
            return []
        used_gb = max(used) / 100 * ws.root_volume_gb
        suggested = max(8, math.ceil(used_gb * 2 / 10) * 10)
        if suggested >= ws.root_volume_gb:
            return []
        per_gb = self.costing.storage_prices.ebs_gb_month("gp3", ws.region)
        return [
            Recommendation(
                kind="oversized-root",
                resource=ws.name,
                detail=f"its {ws.root_volume_gb} GiB root disk holds {used_gb:.1f} GiB at most;"
                f" {suggested} GiB leaves room to double. EBS disks cannot shrink: set"
                f" instance_defaults.root_volume_gb: {suggested} in template {ws.template}"
                " for new workstations",
                monthly_saving_usd=round((ws.root_volume_gb - suggested) * per_gb, 2),
            )
        ]

    def candidates(self, older_than_minutes: int = 0) -> tuple[list[CleanupCandidate], bool]:
        cloud = self.costing.active()
        now = self.store.clock.now()
        found = []
        for entry, item in self._items(cloud):
            unused = item.state in ("unattached", "mounted nowhere")
            old_enough = now - entry.created_at >= timedelta(minutes=older_than_minutes)
            if not unused or not old_enough:
                continue
            found.append(
                CleanupCandidate(
                    kind="volume" if entry.kind == "volume" else "disk",
                    name=item.name,
                    resource_id=item.resource_id,
                    size_gb=item.size_gb,
                    monthly_usd=item.monthly_usd,
                    age_days=item.age_days,
                    reason=item.state,
                )
            )
        return found, cloud.simulated

    def cleanup(self, resource_ids: list[str]) -> CleanupPlan:
        """Delete the candidates named, each checked again as it goes: one attached or mounted
        since the plan was shown is left alone.
        """
        candidates, simulated = self.candidates()
        wanted = [c for c in candidates if c.resource_id in resource_ids]
        unknown = set(resource_ids) - {c.resource_id for c in wanted}
        if unknown:
            raise ToolError(
                "PRISM_CLEANUP_NOT_UNUSED",
                f"Not unused any more (or not prism's): {', '.join(sorted(unknown))}; nothing"
                " was deleted.",
                suggestions=["See what is unused now: prism storage cleanup --dry-run"],
                exit_code=ExitCode.CONFLICT,
            )
        cloud = self.costing.active()
        deleted = []
        for candidate in wanted:
            if candidate.kind == "volume":
                delete_volume(cloud.client("efs"), candidate.name)
            else:
                aws_call(
                    "DeleteVolume",
                    cloud.client("ec2").delete_volume,
                    VolumeId=candidate.resource_id,
                )
            deleted.append(candidate.resource_id)
        self.costing.ledger.deleted(deleted, self.store.clock.now())
        self.costing.forget_scan()
        return CleanupPlan(
            candidates=wanted,
            deleted=deleted,
            dry_run=False,
            monthly_saving_usd=round(sum(c.monthly_usd for c in wanted), 2),
            simulated=simulated,
        )
