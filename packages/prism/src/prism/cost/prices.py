"""Hourly prices per instance type and region.

A bundled table of list prices answers at once and offline. With an AWS profile whose account
may call the Pricing API, prices are refreshed from it and cached for a week; when the API
refuses or is down, the table stands (and says so).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from groundwork.errors import ToolError
from groundwork.retry import CircuitBreaker
from groundwork.state import atomic_write_json

__all__ = ["Price", "PriceBook"]

CACHE_TTL_SECONDS = 7 * 24 * 3600
_LOCATIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}
_pricing_breaker = CircuitBreaker("aws pricing api", failure_threshold=2, reset_seconds=600)


@dataclass(frozen=True)
class Price:
    hourly: float
    source: str
    """"pricing-api", "bundled" or "estimate" (a type missing from the table)."""


def _table() -> dict[str, Any]:
    text = resources.files("prism.cost").joinpath("prices.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class PriceBook:
    def __init__(self, cache_file: Path, pricing_client: Any | None = None) -> None:
        self.cache_file = cache_file
        self.pricing = pricing_client
        self.table = _table()

    @property
    def spot_factor(self) -> float:
        return float(self.table["spot_factor"])

    def _region_factor(self, region: str) -> float:
        return float(self.table["region_factor"].get(region, 1.15))

    def ebs_gb_month(self, volume_type: str, region: str) -> float:
        """EBS storage per GiB-month, by volume type (gp3 for a type the table lacks)."""
        by_type = self.table["ebs_gb_month"]
        return float(by_type.get(volume_type, by_type["gp3"])) * self._region_factor(region)

    def efs_gb_month(self, region: str) -> float:
        """EFS Standard storage per GiB-month of data stored."""
        return float(self.table["efs_standard_gb_month"]) * self._region_factor(region)

    def snapshot_gb_month(self, region: str) -> float:
        """EBS snapshot storage per GiB-month."""
        return float(self.table["snapshot_gb_month"]) * self._region_factor(region)

    def hourly(self, instance_type: str, region: str) -> Price:
        key = f"{region}/{instance_type}"
        cached = self._cache().get(key)
        if cached and cached["at"] > time.time() - CACHE_TTL_SECONDS:
            return Price(float(cached["hourly"]), "pricing-api")
        if self.pricing is not None:
            fetched = self._from_api(self.pricing, instance_type, region)
            if fetched is not None:
                cache = self._cache()
                cache[key] = {"hourly": fetched, "at": time.time()}
                atomic_write_json(self.cache_file, cache)
                return Price(fetched, "pricing-api")
        factor = self._region_factor(region)
        base = self.table["hourly"].get(instance_type)
        if base is not None:
            return Price(round(float(base) * factor, 4), "bundled")
        return Price(round(self._estimate(instance_type) * factor, 4), "estimate")

    def _estimate(self, instance_type: str) -> float:
        """Same family, scaled by size (AWS prices double with each size step)."""
        family, _, size = instance_type.partition(".")
        steps = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"]
        known = {
            t.split(".")[1]: float(p)
            for t, p in self.table["hourly"].items()
            if t.split(".")[0] == family
        }
        if "large" in known and size in steps:
            return float(known["large"] * 2 ** steps.index(size))
        return 0.10

    def _from_api(self, pricing: Any, instance_type: str, region: str) -> float | None:
        location = _LOCATIONS.get(region)
        if location is None:
            return None
        filters = {
            "instanceType": instance_type,
            "location": location,
            "operatingSystem": "Linux",
            "tenancy": "Shared",
            "preInstalledSw": "NA",
            "capacitystatus": "Used",
        }

        def fetch() -> Any:
            return pricing.get_products(
                ServiceCode="AmazonEC2",
                Filters=[
                    {"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()
                ],
                MaxResults=1,
            )

        from botocore.exceptions import BotoCoreError, ClientError  # only with a Pricing client

        try:
            reply = _pricing_breaker.call(fetch)
        except (ToolError, BotoCoreError, ClientError):
            return None
        for item in reply.get("PriceList", []):
            product = json.loads(item) if isinstance(item, str) else item
            for term in product.get("terms", {}).get("OnDemand", {}).values():
                for dimension in term.get("priceDimensions", {}).values():
                    usd = float(dimension.get("pricePerUnit", {}).get("USD", 0))
                    if usd > 0:
                        return usd
        return None

    def _cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
