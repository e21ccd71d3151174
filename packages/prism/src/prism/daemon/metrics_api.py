"""``GET /api/v1/workstations/{name}/metrics``: a workstation's CPU, memory and network over time
from CloudWatch, with the thresholds the dashboard marks on its charts.

CPU and network are EC2's own metrics (``AWS/EC2``: CPUUtilization, NetworkIn, NetworkOut);
memory is the CloudWatch agent's (``CWAgent``: mem_used_percent), which EC2 does not measure.
All are read by InstanceId in one GetMetricData call. A simulated workstation's emulator has no
instance metrics of its own: what was put into it (PutMetricData) is what comes back.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from prism.cloud.errors import aws_call
from prism.daemon.engine import Engine
from prism.templates.model import IdleDetection
from prism.workstations.model import Workstation

__all__ = ["METRICS", "MetricsResult", "router"]

router = APIRouter(prefix="/api/v1")


class Threshold(BaseModel):
    value: float
    label: str = Field(description="What crossing it means, e.g. 'idle below'.")


class MetricPoint(BaseModel):
    at: datetime
    value: float


class MetricSeries(BaseModel):
    metric: str = Field(description="cpu, memory, network_in or network_out")
    label: str
    namespace: str
    name: str = Field(description="The CloudWatch metric's name.")
    unit: str
    thresholds: list[Threshold] = Field(default_factory=list)
    points: list[MetricPoint] = Field(default_factory=list, description="Oldest first.")


class WorkstationMetrics(BaseModel):
    workstation: str
    instance_id: str | None
    since: datetime
    until: datetime
    period_seconds: int
    series: list[MetricSeries]
    notes: list[str] = Field(default_factory=list)


class MetricsResult(BaseModel):
    metrics: WorkstationMetrics


# (key, label, namespace, CloudWatch name, statistic, unit)
METRICS = (
    ("cpu", "CPU", "AWS/EC2", "CPUUtilization", "Average", "%"),
    ("memory", "Memory", "CWAgent", "mem_used_percent", "Average", "%"),
    ("network_in", "Network in", "AWS/EC2", "NetworkIn", "Sum", "bytes"),
    ("network_out", "Network out", "AWS/EC2", "NetworkOut", "Sum", "bytes"),
)
HIGH_PERCENT = 90.0


def _thresholds(key: str) -> list[Threshold]:
    if key == "cpu":
        idle = IdleDetection().cpu_threshold_percent
        return [
            Threshold(value=idle, label=f"idle below {idle:g}%"),
            Threshold(value=HIGH_PERCENT, label=f"busy above {HIGH_PERCENT:g}%"),
        ]
    if key == "memory":
        return [Threshold(value=HIGH_PERCENT, label=f"short of memory above {HIGH_PERCENT:g}%")]
    return []


def read_metrics(
    cloudwatch: Any, ws: Workstation, since: datetime, until: datetime, period: int
) -> WorkstationMetrics:
    series = []
    if ws.instance_id:
        queries = [
            {
                "Id": key,
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": name,
                        "Dimensions": [{"Name": "InstanceId", "Value": ws.instance_id}],
                    },
                    "Period": period,
                    "Stat": stat,
                },
                "ReturnData": True,
            }
            for key, _label, namespace, name, stat, _unit in METRICS
        ]
        found: dict[str, list[MetricPoint]] = {}
        token: str | None = None
        while True:
            extra = {"NextToken": token} if token else {}
            reply = aws_call(
                "GetMetricData",
                cloudwatch.get_metric_data,
                MetricDataQueries=queries,
                StartTime=since,
                EndTime=until,
                ScanBy="TimestampAscending",
                **extra,
            )
            for result in reply.get("MetricDataResults", []):
                found.setdefault(result["Id"], []).extend(
                    MetricPoint(at=at, value=float(value))
                    for at, value in zip(result["Timestamps"], result["Values"], strict=True)
                )
            token = reply.get("NextToken")
            if not token:
                break
    else:
        found = {}
    for key, label, namespace, name, _stat, unit in METRICS:
        points = sorted(found.get(key, []), key=lambda p: p.at)
        series.append(
            MetricSeries(
                metric=key,
                label=label,
                namespace=namespace,
                name=name,
                unit=unit,
                thresholds=_thresholds(key),
                points=points,
            )
        )
    notes = []
    if not ws.instance_id:
        notes.append(f"{ws.name} has no instance yet: nothing to measure.")
    elif not any(s.points for s in series):
        notes.append(
            "CloudWatch has no data for this instance in this window"
            + (
                " (the sandbox's emulator measures nothing itself: only metrics put into it)."
                if ws.simulated
                else "; memory needs the CloudWatch agent on the workstation."
            )
        )
    return WorkstationMetrics(
        workstation=ws.name,
        instance_id=ws.instance_id,
        since=since,
        until=until,
        period_seconds=period,
        series=series,
        notes=notes,
    )


@router.get("/workstations/{name}/metrics", response_model=MetricsResult)
async def metrics(
    name: str,
    request: Request,
    hours: float = Query(default=3.0, gt=0, le=24 * 14, description="How far back."),
    period: int = Query(
        default=0, ge=0, description="Seconds per point (a multiple of 60); 0 picks one."
    ),
) -> MetricsResult:
    engine: Engine = request.app.state.engine

    def read() -> MetricsResult:
        ws = engine.lifecycle.store.require(name)
        until = engine.clock.now()
        since = until - timedelta(hours=hours)
        step = period or max(60, int(hours * 3600 / 180) // 60 * 60)
        cloudwatch = engine.session_for(ws).client("cloudwatch")
        return MetricsResult(metrics=read_metrics(cloudwatch, ws, since, until, step))

    return await asyncio.to_thread(read)
