"""A host's status as its own shell reports it: deployed.json, the collector's pid, its health
answer and its own telemetry (the otelcol_* counters on its loopback)."""

from __future__ import annotations

import json

from groundwork.errors import ToolError
from phoenix.fleet import scripts
from phoenix.fleet.results import FleetHost, HostStatus
from phoenix.fleet.transport import shell_for

__all__ = ["host_status"]

_TELEMETRY = {
    "accepted_points": "otelcol_receiver_accepted_metric_points",
    "refused_points": "otelcol_receiver_refused_metric_points",
    "sent_points": "otelcol_exporter_sent_metric_points",
    "failed_points": "otelcol_exporter_send_failed_metric_points",
    "uptime_seconds": "otelcol_process_uptime",
}


def host_status(host: FleetHost) -> HostStatus:
    try:
        reply = shell_for(host).run(scripts.status_script(host), timeout=30)
    except ToolError as exc:
        return HostStatus(
            host=host.name,
            group=host.group,
            reachable=False,
            pipeline=None,
            version=None,
            running=False,
            healthy=False,
            accepted_points=None,
            refused_points=None,
            sent_points=None,
            failed_points=None,
            uptime_seconds=None,
            message=exc.message,
        )
    sections: dict[str, list[str]] = {}
    current = ""
    for line in reply.out.splitlines():
        if line.startswith("== "):
            current = line[3:]
            sections[current] = []
        elif line.strip():
            sections.setdefault(current, []).append(line)
    try:
        deployed = json.loads("".join(sections.get("deployed", [])) or "{}")
    except ValueError:
        deployed = {}
    health = " ".join(sections.get("health", []))
    telemetry = {
        key: _total(sections.get("telemetry", []), prefix) for key, prefix in _TELEMETRY.items()
    }
    running = sections.get("running") == ["yes"]
    return HostStatus(
        host=host.name,
        group=host.group,
        reachable=True,
        pipeline=deployed.get("pipeline"),
        version=deployed.get("version"),
        running=running,
        healthy="Server available" in health,
        **telemetry,
        message=health or ("collector not running" if not running else "no health answer"),
    )


def _total(lines: list[str], prefix: str) -> float | None:
    values = [
        float(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith(prefix)
        and line.split("{", 1)[0].split(" ", 1)[0]
        in (prefix, prefix + "_total", prefix + "_seconds_total")
    ]
    return sum(values) if values else None
