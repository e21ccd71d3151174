"""The idle signal in CloudWatch: what each workstation's agent publishes, and how prismd reads
it back.

The agent publishes, every check interval, ``Idle`` (1 idle, 0 active) and what it measured
(CPU load, SSH sessions, busy notebook kernels and RStudio sessions, GPU use, root disk use) in
the namespace ``Prism/Workstations``, with the workstation's name, project and template as
dimensions (its prism tags). prismd asks for every watched workstation in one GetMetricData call
per account and region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prism.cloud.errors import aws_call
from prism.idle.agent import NAMESPACE, NO_PROJECT
from prism.workstations.model import Workstation

__all__ = [
    "METRIC_IDLE",
    "NAMESPACE",
    "Signal",
    "dimensions",
    "publish",
    "read_signals",
    "statistic_series",
]

METRIC_IDLE = "Idle"
_QUERIES_PER_CALL = 500
_POINTS_PER_CALL = 500


def dimensions(ws: Workstation) -> list[dict[str, str]]:
    """The dimensions the agent publishes under: the same three the launch wrote into its
    configuration, so prismd can ask for exactly them.
    """
    return [
        {"Name": "Workstation", "Value": ws.name},
        {"Name": "Project", "Value": ws.project or NO_PROJECT},
        {"Name": "Template", "Value": ws.template},
    ]


@dataclass(frozen=True)
class Signal:
    """One workstation's idle samples since ``since``, oldest first."""

    samples: tuple[tuple[datetime, bool], ...]
    """(when, idle) per minute that had a sample."""

    @property
    def last_report(self) -> datetime | None:
        return self.samples[-1][0] if self.samples else None

    @property
    def last_activity(self) -> datetime | None:
        active = [at for at, idle in self.samples if not idle]
        return active[-1] if active else None

    @property
    def idle_since(self) -> datetime | None:
        """When the current idle spell began: the first idle sample after the last active one;
        None while the last sample is active or there is none.
        """
        if not self.samples or not self.samples[-1][1]:
            return None
        last_active = self.last_activity
        for at, idle in self.samples:
            if idle and (last_active is None or at > last_active):
                return at
        return None


def read_signals(
    cloudwatch: Any, since: dict[str, datetime], workstations: Sequence[Workstation], end: datetime
) -> dict[str, Signal]:
    """Each workstation's ``Idle`` samples from its ``since`` to ``end``: the minimum per minute,
    so a minute with any activity counts as active.
    """
    found: dict[str, Signal] = {}
    members = [ws for ws in workstations if ws.name in since]
    for start in range(0, len(members), _QUERIES_PER_CALL):
        batch = members[start : start + _QUERIES_PER_CALL]
        queries = [
            {
                "Id": f"w{index}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": METRIC_IDLE,
                        "Dimensions": dimensions(ws),
                    },
                    "Period": 60,
                    "Stat": "Minimum",
                },
            }
            for index, ws in enumerate(batch)
        ]
        earliest = min(since[ws.name] for ws in batch)
        results = _metric_data(cloudwatch, queries, earliest, end)
        for index, ws in enumerate(batch):
            points = results.get(f"w{index}", [])
            # A minute's samples are stamped with its start: keep the minute ``since`` falls in.
            after = since[ws.name] - timedelta(minutes=1)
            kept = sorted((at, value > 0) for at, value in points if at > after)
            found[ws.name] = Signal(tuple(kept))
    return found


def statistic_series(
    cloudwatch: Any,
    ws: Workstation,
    metric: str,
    start: datetime,
    end: datetime,
    *,
    period_seconds: int = 3600,
    stat: str = "Average",
) -> list[float]:
    """One of the agent's measurements over time (CPU for rightsizing, disk use for root volume
    advice), oldest first.
    """
    query = {
        "Id": "m",
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions(ws)},
            "Period": period_seconds,
            "Stat": stat,
        },
    }
    return [
        value for _, value in sorted(_metric_data(cloudwatch, [query], start, end).get("m", []))
    ]


def _metric_data(
    cloudwatch: Any, queries: list[dict[str, Any]], start: datetime, end: datetime
) -> dict[str, list[tuple[datetime, float]]]:
    found: dict[str, list[tuple[datetime, float]]] = {}
    token: str | None = None
    while True:
        request: dict[str, Any] = {
            "MetricDataQueries": queries,
            "StartTime": start,
            "EndTime": end + timedelta(minutes=1),
        }
        if token:
            request["NextToken"] = token
        reply = aws_call("GetMetricData", cloudwatch.get_metric_data, **request)
        for result in reply["MetricDataResults"]:
            points = zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
            found.setdefault(result["Id"], []).extend(points)
        token = reply.get("NextToken")
        if not token:
            return found


def publish(
    cloudwatch: Any, ws: Workstation, samples: Sequence[tuple[datetime, dict[str, float]]]
) -> int:
    """PutMetricData for samples of the agent's metrics; returns how many points went out."""
    points = [
        {
            "MetricName": name,
            "Dimensions": dimensions(ws),
            "Timestamp": at,
            "Value": value,
            "Unit": "Percent" if name.endswith("Percent") else "Count",
        }
        for at, values in samples
        for name, value in values.items()
    ]
    for start in range(0, len(points), _POINTS_PER_CALL):
        aws_call(
            "PutMetricData",
            cloudwatch.put_metric_data,
            Namespace=NAMESPACE,
            MetricData=points[start : start + _POINTS_PER_CALL],
        )
    return len(points)
