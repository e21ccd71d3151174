"""What `phoenix agent --once` answers with in JSON: one scrape as metric families."""

from __future__ import annotations

from pydantic import BaseModel, Field, PrivateAttr

__all__ = ["MetricFamily", "MetricSample", "Scrape", "ScrapeResult"]


class MetricSample(BaseModel):
    name: str
    labels: dict[str, str] = Field(description="Empty labels are left out, as Prometheus does.")
    value: float


class MetricFamily(BaseModel):
    name: str
    type: str = Field(description="counter, gauge or info, as in the exposition.")
    help: str
    samples: list[MetricSample]


class Scrape(BaseModel):
    """One scrape of this host through the deployed pipeline: /metrics as JSON."""

    pipeline: str
    input_series: int
    output_series: int
    metrics: list[MetricFamily]


class ScrapeResult(BaseModel):
    scrape: Scrape
    _exposition: bytes = PrivateAttr(default=b"")

    @classmethod
    def of(cls, scrape: Scrape, exposition: bytes) -> ScrapeResult:
        result = cls(scrape=scrape)
        result._exposition = exposition
        return result

    @property
    def exposition(self) -> bytes:
        """The same scrape in the Prometheus text format, which people get from `--once`."""
        return self._exposition
