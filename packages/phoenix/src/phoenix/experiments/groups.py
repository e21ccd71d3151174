"""An experiment across host groups: the baseline pipeline on one group of the fleet, the
candidate on another, measured from Prometheus (the gateway's series, labelled by group) and
from the hosts themselves (their processes, through each host's shell).

Each interval gives the same figures as an experiment on this host, so the same analysis and
verdict apply: output series and critical processes kept come from Prometheus; input series and
critical processes running come from the hosts.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import httpx

from groundwork.errors import ExitCode, ToolError
from phoenix.collector.model import SERIES_PER_ROW
from phoenix.fleet.results import FleetHost
from phoenix.fleet.service import Fleet
from phoenix.fleet.transport import shell_for

__all__ = ["GroupFigures", "check_prometheus", "has_series", "measure_group"]

_PROCESSES = r"""
read -r up _ </proc/uptime
hz=$(getconf CLK_TCK)
for d in /proc/[0-9]*; do
  { read -r comm <"$d/comm" && stat=$(<"$d/stat"); } 2>/dev/null || continue
  rest=${stat##*) }
  set -- $rest
  echo "${d#/proc/} $(( ${up%.*} - ${20} / hz )) $comm"
done
"""
"""pid, age in seconds and name of every process on the host, in bash alone."""
SETTLE_SECONDS = 5
"""Beyond two collection intervals: a critical process counts once a collector has surely seen
it, even when one collection ran late (a busy host) or its export missed the gateway's scrape."""


@dataclass(frozen=True)
class GroupFigures:
    input_series: int
    output_series: int
    critical_seen: int
    critical_retained: int


def check_prometheus(url: str) -> str:
    url = url.rstrip("/")
    try:
        reply = httpx.get(f"{url}/api/v1/query", params={"query": "1"}, timeout=5)
        reply.raise_for_status()
    except httpx.HTTPError as exc:
        raise ToolError(
            "PHOENIX_PROMETHEUS_UNREACHABLE",
            f"Prometheus at {url} did not answer a query: {exc}.",
            suggestions=["Give the URL Prometheus serves its API on, e.g. http://127.0.0.1:9090"],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    return url


def _query(url: str, promql: str) -> float:
    reply = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10).json()
    found = reply.get("data", {}).get("result", [])
    return float(found[0]["value"][1]) if found else 0.0


def _promql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _processes(host: FleetHost) -> list[tuple[int, int, str]]:
    found = []
    for line in shell_for(host).run(_PROCESSES, timeout=60).out.splitlines():
        pid, age, name = ([*line.split(" ", 2), "", ""])[:3]
        if pid.isdigit() and age.lstrip("-").isdigit():
            found.append((int(pid), int(age), name))
    return found


def has_series(url: str, group: str) -> bool:
    return _query(url, f"count(process_threads{{phoenix_group={_promql_string(group)}}})") > 0


def measure_group(
    conn: sqlite3.Connection, url: str, group: str, critical_regex: str, collection: float
) -> GroupFigures:
    """One interval's figures for a group. A critical process counts once it has run longer
    than two collection intervals (and SETTLE_SECONDS), so one started a moment ago is not lost
    for not being collected yet."""
    hosts = Fleet(conn).group(group)
    critical = re.compile(critical_regex)
    processes = {host.name: _processes(host) for host in hosts}
    label = _promql_string(group)
    wanted = _promql_string(f".*(?:{critical_regex}).*")
    output = _query(url, f'count({{__name__=~"process_.+", phoenix_group={label}}})')
    reply = httpx.get(
        f"{url}/api/v1/query",
        params={
            "query": "count by (host_name, process_pid) (process_threads"
            f"{{phoenix_group={label}, process_executable_name=~{wanted}}})"
        },
        timeout=10,
    ).json()
    kept = {
        (r["metric"].get("host_name", ""), r["metric"].get("process_pid", ""))
        for r in reply.get("data", {}).get("result", [])
    }
    settled = 2 * collection + SETTLE_SECONDS
    seen = {
        (host, str(pid))
        for host, found in processes.items()
        for pid, age, name in found
        if age >= settled and critical.search(name)
    }
    return GroupFigures(
        input_series=sum(len(found) for found in processes.values()) * SERIES_PER_ROW,
        output_series=int(output),
        critical_seen=len(seen),
        critical_retained=len(seen & kept),
    )
