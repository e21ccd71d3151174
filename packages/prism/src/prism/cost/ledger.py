"""Storage prism has seen, kept after it is gone: a deleted disk or snapshot stops costing, but
what it cost while it existed still counts against its project's budget.

AWS is the truth while a thing exists (each scan refreshes the entries of one profile and
region); an entry a scan no longer finds, or that prism deleted, gets its ``deleted_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from prism.records import Records

__all__ = ["Ledger", "LedgerEntry"]

_KIND = "ledger"


class LedgerEntry(BaseModel):
    kind: str = Field(description="disk (EBS), volume (EFS) or snapshot")
    resource_id: str
    name: str
    profile: str
    region: str
    simulated: bool
    size_gb: float
    volume_type: str = ""
    project: str | None = None
    workstation: str | None = Field(default=None, description="The workstation it was made from.")
    attached_to: str | None = Field(default=None, description="Instance id (a disk).")
    mounted_on: list[str] = Field(default_factory=list, description="Workstations (a volume).")
    created_at: datetime
    deleted_at: datetime | None = None


class Ledger:
    def __init__(self, records: Records) -> None:
        self.records = records

    def entries(self) -> list[LedgerEntry]:
        return list(self.records.all(_KIND, LedgerEntry).values())

    def sync(self, profile: str, region: str, seen: Sequence[LedgerEntry], now: datetime) -> None:
        known = self.records.all(_KIND, LedgerEntry)
        for entry in seen:
            before = known.get(entry.resource_id)
            created = min(entry.created_at, before.created_at) if before else entry.created_at
            self.records.put(
                _KIND, entry.resource_id, entry.model_copy(update={"created_at": created})
            )
        present = {e.resource_id for e in seen}
        for entry in known.values():
            gone = entry.resource_id not in present and entry.deleted_at is None
            if gone and (entry.profile, entry.region) == (profile, region):
                self.records.put(
                    _KIND, entry.resource_id, entry.model_copy(update={"deleted_at": now})
                )

    def deleted(self, resource_ids: Sequence[str], now: datetime) -> None:
        """What prism itself deleted, recorded at once rather than at the next scan."""
        for resource_id in resource_ids:
            entry = self.records.get(_KIND, resource_id, LedgerEntry)
            if entry is not None and entry.deleted_at is None:
                self.records.put(_KIND, resource_id, entry.model_copy(update={"deleted_at": now}))
