"""What a workstation has cost so far, state by state.

Running (and pending) time pays for compute and storage; stopped and hibernated time pays for
storage only (a hibernated instance's memory sits on its root volume); after deletion, nothing.
The original counted stopped and hibernated time as running, and spot at the on-demand rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prism.cost.model import CostLine
from prism.cost.prices import PriceBook
from prism.workstations.model import Workstation, WorkstationState

__all__ = ["accrue"]

HOURS_PER_MONTH = 730.0
_COMPUTE = {WorkstationState.RUNNING, WorkstationState.PENDING, WorkstationState.STOPPING}
_STORAGE_ONLY = {WorkstationState.STOPPED, WorkstationState.HIBERNATED}


def accrue(
    workstation: Workstation,
    history: Sequence[tuple[WorkstationState, datetime]],
    prices: PriceBook,
    now: datetime,
) -> CostLine:
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
    compute = running * hourly
    storage = (running + stopped) * storage_hourly
    return CostLine(
        name=workstation.name,
        instance_type=workstation.instance_type,
        hourly_usd=round(hourly, 4),
        price_source=price.source,
        running_hours=round(running, 3),
        stopped_hours=round(stopped, 3),
        compute_usd=round(compute, 4),
        storage_usd=round(storage, 4),
        total_usd=round(compute + storage, 4),
        simulated=workstation.simulated,
    )
