"""The spot price a spot workstation pays: the newest from EC2's spot price history for its type
and zone, when that is recent; else the bundled table's share of the on-demand price (the
sandbox has no spot market, and an account may not read the history).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

from groundwork.errors import ToolError
from prism.cloud.errors import aws_call
from prism.cost.prices import Price

__all__ = ["SpotPrices"]

CACHE_SECONDS = 3600.0
_CURRENT = timedelta(days=7)


class SpotPrices:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[float, Price | None]] = {}
        self._lock = threading.Lock()

    def price(
        self,
        ec2: Any | None,
        instance_type: str,
        zone: str | None,
        on_demand: Price,
        spot_factor: float,
        now: datetime,
    ) -> Price:
        estimate = Price(round(on_demand.hourly * spot_factor, 4), "spot-estimate")
        if ec2 is None or zone is None:
            return estimate
        key = (instance_type, zone)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
            cached = (time.monotonic(), self._history(ec2, instance_type, zone, now))
            with self._lock:
                self._cache[key] = cached
        return cached[1] or estimate

    @staticmethod
    def _history(ec2: Any, instance_type: str, zone: str, now: datetime) -> Price | None:
        try:
            reply = aws_call(
                "DescribeSpotPriceHistory",
                ec2.describe_spot_price_history,
                InstanceTypes=[instance_type],
                AvailabilityZone=zone,
                ProductDescriptions=["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
                MaxResults=20,
            )
        except ToolError:
            return None
        recent = [p for p in reply.get("SpotPriceHistory", []) if now - p["Timestamp"] <= _CURRENT]
        if not recent:
            return None
        newest = max(recent, key=lambda p: p["Timestamp"])
        return Price(float(newest["SpotPrice"]), "spot-price-history")
