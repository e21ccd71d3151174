"""One row per host for the console: this host (its deployment and the agent's live figures)
and every fleet host (the pipeline it runs, its collector's health, and what its collector's own
counters say it keeps and sends)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from groundwork.errors import ExitCode, ToolError
from phoenix.console.results import HostDeployment
from phoenix.deployments import BASELINE, current
from phoenix.experiments.cost import CostModel
from phoenix.fleet.results import FleetDeployment, FleetHost, HostStatus, Outcome
from phoenix.fleet.service import Fleet
from phoenix.fleet.status import host_status
from phoenix.live import live_figures, problem_of

__all__ = ["host_deployments"]

THIS_HOST = "this host"


def _this_host(home: Path, conn: sqlite3.Connection) -> HostDeployment:
    deployment = current(conn)
    live = live_figures(home)
    return HostDeployment(
        host=THIS_HOST,
        group=None,
        kind="this host",
        pipeline=deployment.pipeline if deployment else BASELINE,
        version=deployment.version if deployment else None,
        params=deployment.params if deployment else {},
        status="running" if live.healthy else "down",
        healthy=live.healthy,
        input_series=live.input_series,
        output_series=live.output_series,
        reduction_percent=live.reduction_percent,
        critical_retention_percent=live.critical_retention_percent,
        monthly_cost_usd=live.monthly_cost_usd,
        monthly_saving_usd=live.monthly_saving_usd,
        problem=live.problem,
    )


def _failed(deployment: FleetDeployment) -> ToolError:
    return ToolError(
        "PHOENIX_DEPLOY_FAILED",
        f"{deployment.pipeline} (version {deployment.version}) failed on {deployment.host}, which"
        f" went back to its previous config: {deployment.message}",
        suggestions=[
            f"Check the rendered config: phoenix pipeline render {deployment.pipeline}",
            f"Read the host's collector.log (phoenix fleet status --group {deployment.group})",
        ],
        exit_code=ExitCode.FAILURE,
    )


def _collector_down(host: FleetHost, status: HostStatus) -> ToolError:
    if not status.reachable:
        return ToolError(
            "PHOENIX_HOST_UNREACHABLE",
            f"{host.name} did not answer: {status.message}",
            suggestions=[
                "Check the host is up and reachable as it was added (phoenix fleet host list)"
            ],
            exit_code=ExitCode.UNAVAILABLE,
        )
    return ToolError(
        "PHOENIX_COLLECTOR_DOWN",
        f"The collector on {host.name} is {'unhealthy' if status.running else 'not running'}:"
        f" {status.message}",
        suggestions=[
            f"Deploy again to restart it: phoenix fleet deploy PIPELINE --group {host.group}",
            f"Read its log: {host.workdir}/collector.log on {host.name}",
        ],
        exit_code=ExitCode.UNAVAILABLE,
    )


def _collection_interval(pipeline: str | None) -> float:
    """Points per collection are the host's series; a pipeline file that is not in the catalog
    is taken at the default interval."""
    from phoenix.pipelines import catalog

    try:
        return catalog.get(pipeline or "").collection_interval_seconds
    except ToolError:
        return 10.0


def _fleet_row(
    host: FleetHost, status: HostStatus, last: FleetDeployment | None, cost: CostModel
) -> HostDeployment:
    problem = None
    state: Literal["running", "failed", "down", "unreachable"] = "running"
    if last is not None and last.outcome is Outcome.FAILED:
        problem, state = _failed(last), "failed"
    elif not status.reachable:
        problem, state = _collector_down(host, status), "unreachable"
    elif not (status.running and status.healthy):
        problem, state = _collector_down(host, status), "down"
    figures: dict[str, float | None] = dict.fromkeys(
        ("input_series", "output_series", "reduction_percent", "cost", "saving")
    )
    accepted, sent, uptime = status.accepted_points, status.sent_points, status.uptime_seconds
    if accepted and sent is not None and uptime:
        # The collector's own counters: points in (scraped) and out (exported) over its uptime.
        per_minute_in, per_minute_out = accepted / uptime * 60, sent / uptime * 60
        interval = _collection_interval(status.pipeline)
        figures["input_series"] = round(per_minute_in * interval / 60, 1)
        figures["output_series"] = round(per_minute_out * interval / 60, 1)
        figures["reduction_percent"] = round(100.0 * (1 - sent / accepted), 2)
        cost_in = cost.monthly(int(figures["input_series"] or 0), per_minute_in)
        cost_out = cost.monthly(int(figures["output_series"] or 0), per_minute_out)
        figures["cost"], figures["saving"] = round(cost_out, 2), round(cost_in - cost_out, 2)
    return HostDeployment(
        host=host.name,
        group=host.group,
        kind="fleet",
        pipeline=status.pipeline or (last.pipeline if last else "-"),
        version=status.version,
        params=last.params if last else {},
        status=state,
        healthy=status.healthy,
        input_series=figures["input_series"],
        output_series=figures["output_series"],
        reduction_percent=figures["reduction_percent"],
        critical_retention_percent=None,
        monthly_cost_usd=figures["cost"],
        monthly_saving_usd=figures["saving"],
        problem=problem_of(problem) if problem else None,
    )


def host_deployments(home: Path, conn: sqlite3.Connection) -> list[HostDeployment]:
    fleet = Fleet(conn)
    hosts = fleet.hosts()
    cost = CostModel.load(home)
    rows = [_this_host(home, conn)]
    if not hosts:
        return rows
    # Each host answers through its own shell; asking them at once keeps the page quick.
    with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
        statuses = list(pool.map(host_status, hosts))
    for host, status in zip(hosts, statuses, strict=True):
        history = fleet.history(host.name)
        rows.append(_fleet_row(host, status, history[0] if history else None, cost))
    return rows
