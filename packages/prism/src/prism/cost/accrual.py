"""What a workstation has cost so far, state by state.

Running (and pending) time pays for compute and storage; stopped and hibernated time pays for
storage only (a hibernated instance's memory sits on its root volume); after deletion, nothing.
The original counted stopped and hibernated time as running, and spot at the on-demand rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from prism.cost.prices import PriceBook
from prism.workstations.model import Workstation, WorkstationState

__all__ = ["Accrued", "accrue"]

HOURS_PER_MONTH = 730.0
_COMPUTE = {WorkstationState.RUNNING, WorkstationState.PENDING, WorkstationState.STOPPING}
_STORAGE_ONLY = {WorkstationState.STOPPED, WorkstationState.HIBERNATED}


@dataclass(frozen=True)
class Accrued:
    name: str
    instance_type: str
    hourly: float
    price_source: str
    running_hours: float
    stopped_hours: float
    compute: float
    storage: float
    simulated: bool

    @property
    def total(self) -> float:
        return self.compute + self.storage

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "instance_type": self.instance_type,
            "hourly_usd": self.hourly,
            "price_source": self.price_source,
            "running_hours": round(self.running_hours, 3),
            "stopped_hours": round(self.stopped_hours, 3),
            "compute_usd": round(self.compute, 4),
            "storage_usd": round(self.storage, 4),
            "total_usd": round(self.total, 4),
            "simulated": self.simulated,
        }


def accrue(
    workstation: Workstation,
    history: Sequence[tuple[WorkstationState, datetime]],
    prices: PriceBook,
    now: datetime,
) -> Accrued:
    price = prices.hourly(workstation.instance_type, workstation.region)
    hourly = price.hourly * (prices.spot_factor if workstation.spot else 1.0)
    storage_hourly = workstation.root_volume_gb * prices.ebs_gb_month / HOURS_PER_MONTH
    running = stopped = 0.0
    for (state, start), end in zip(history, [at for _, at in history[1:]] + [now], strict=True):
        hours = max(0.0, (end - start).total_seconds() / 3600)
        if state in _COMPUTE:
            running += hours
        elif state in _STORAGE_ONLY:
            stopped += hours
    return Accrued(
        name=workstation.name,
        instance_type=workstation.instance_type,
        hourly=round(hourly, 4),
        price_source=price.source,
        running_hours=running,
        stopped_hours=stopped,
        compute=running * hourly,
        storage=(running + stopped) * storage_hourly,
        simulated=workstation.simulated,
    )
