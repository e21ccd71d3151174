"""The monthly cost of a metrics stream, from a documented, configurable model.

Vendors bill process metrics by datapoints ingested and by active series; the defaults are a
typical hosted-Prometheus list price. ``<PHOENIX_HOME>/cost.json`` overrides them:
``{"usd_per_million_datapoints": 0.15, "usd_per_active_series_month": 0.0025}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CostModel"]

MINUTES_PER_MONTH = 60 * 24 * 30


@dataclass(frozen=True)
class CostModel:
    usd_per_million_datapoints: float = 0.15
    usd_per_active_series_month: float = 0.0025

    @classmethod
    def load(cls, home: Path) -> CostModel:
        try:
            data = json.loads((home / "cost.json").read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return cls()
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})

    def monthly(self, series: int, datapoints_per_minute: float) -> float:
        ingest = datapoints_per_minute * MINUTES_PER_MONTH / 1e6 * self.usd_per_million_datapoints
        return ingest + series * self.usd_per_active_series_month
