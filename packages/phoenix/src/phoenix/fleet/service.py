"""The fleet's hosts and their deployments, kept in phoenix's SQLite store; each operation is
carried out on the host through its shell (see scripts.py).

A deployment goes host by host: the rendered config is written on the host, its collector
restarted and health-checked, and a host whose collector fails goes back to its previous config
there and then, while the others keep the new version. Every version a host ran is recorded
with its config, so `rollback` re-deploys the exact text that ran before.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml

from groundwork.errors import ExitCode, ToolError
from phoenix.deployments import load_pipeline, with_params
from phoenix.fleet import scripts
from phoenix.fleet.results import (
    FleetDeployment,
    FleetHost,
    HostKind,
    HostStatus,
    Outcome,
)
from phoenix.fleet.status import host_status
from phoenix.fleet.transport import shell_for
from phoenix.otelcol.render import RenderOptions, render_otelcol
from phoenix.pipelines import spec
from phoenix.pipelines.loader import load_text

__all__ = ["Fleet"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _host(row: sqlite3.Row) -> FleetHost:
    return FleetHost(
        name=row["name"],
        group=row["host_group"],
        kind=HostKind(row["kind"]),
        address=row["address"],
        ssh_options=json.loads(row["ssh_options"]),
        netns=row["netns"],
        collector=row["collector"],
        workdir=row["workdir"],
        gateway=row["gateway"],
        health_port=row["health_port"],
        telemetry_port=row["telemetry_port"],
        cores=row["cores"],
        added_at=row["added_at"],
    )


def _deployment(row: sqlite3.Row) -> FleetDeployment:
    return FleetDeployment(
        host=row["host"],
        group=row["host_group"],
        version=row["version"],
        pipeline=row["pipeline"],
        params=json.loads(row["params"]),
        outcome=Outcome(row["outcome"]),
        message=row["message"],
        deployed_at=row["deployed_at"],
    )


class Fleet:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add_host(
        self,
        name: str,
        group: str,
        *,
        ssh: str | None,
        netns: str | None,
        ssh_options: list[str] | None = None,
        collector: str,
        workdir: str,
        gateway: str,
        health_port: int,
        telemetry_port: int,
    ) -> FleetHost:
        if not _NAME.match(name) or not _NAME.match(group):
            raise ToolError(
                "PHOENIX_HOST_NAME_INVALID",
                f"{name!r} / {group!r}: host and group names are lowercase letters, digits,"
                " dots, dashes and underscores.",
                suggestions=["e.g. phoenix fleet host add web-1 --local --group web"],
                exit_code=ExitCode.USAGE,
            )
        if self.conn.execute("SELECT 1 FROM fleet_hosts WHERE name = ?", (name,)).fetchone():
            raise ToolError(
                "PHOENIX_HOST_EXISTS",
                f"There is already a host named {name!r}.",
                suggestions=[f"Remove it first: phoenix fleet host remove {name}"],
                exit_code=ExitCode.CONFLICT,
            )
        kind = HostKind.SSH if ssh else HostKind.LOCAL
        draft = FleetHost(
            name=name,
            group=group,
            kind=kind,
            address=ssh,
            ssh_options=ssh_options or [],
            netns=netns,
            collector=collector,
            workdir=workdir,
            gateway=gateway,
            health_port=health_port,
            telemetry_port=telemetry_port,
            cores=1,
            added_at=_now(),
        )
        reply = shell_for(draft).run(scripts.probe_script(collector), timeout=30)
        lines = reply.out.split()
        if reply.code != 0 or len(lines) != 2 or not lines[0].isdigit():
            raise ToolError(
                "PHOENIX_HOST_UNREACHABLE",
                f"Host {name} did not answer as a shell should: {reply.err.strip()[-300:]}",
                suggestions=["Check the address (ssh user@addr true) or the namespace exists"],
                exit_code=ExitCode.UNAVAILABLE,
            )
        if lines[1] != "collector-ok":
            raise ToolError(
                "PHOENIX_HOST_NO_COLLECTOR",
                f"Host {name} has no executable collector at {collector}.",
                suggestions=[
                    "Copy phoenix-otelcol there (make collector builds it), or name the"
                    " host's own with --collector PATH",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        host = draft.model_copy(update={"cores": int(lines[0])})
        self.conn.execute(
            "INSERT INTO fleet_hosts (name, host_group, kind, address, netns, collector,"
            " workdir, gateway, health_port, telemetry_port, cores, added_at, ssh_options)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                host.name,
                host.group,
                host.kind.value,
                host.address,
                host.netns,
                host.collector,
                host.workdir,
                host.gateway,
                host.health_port,
                host.telemetry_port,
                host.cores,
                host.added_at,
                json.dumps(host.ssh_options),
            ),
        )
        return host

    def hosts(self, group: str | None = None) -> list[FleetHost]:
        rows = self.conn.execute(
            "SELECT * FROM fleet_hosts WHERE ? IS NULL OR host_group = ? ORDER BY name",
            (group, group),
        ).fetchall()
        return [_host(r) for r in rows]

    def host(self, name: str) -> FleetHost:
        row = self.conn.execute("SELECT * FROM fleet_hosts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ToolError(
                "PHOENIX_HOST_NOT_FOUND",
                f"No host named {name!r} in the fleet.",
                suggestions=["List them: phoenix fleet host list"],
                exit_code=ExitCode.NOT_FOUND,
            )
        return _host(row)

    def group(self, group: str) -> list[FleetHost]:
        found = self.hosts(group)
        if not found:
            raise ToolError(
                "PHOENIX_GROUP_EMPTY",
                f"No host is in group {group!r}.",
                suggestions=["Add one: phoenix fleet host add NAME --local --group " + group],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def remove_host(self, name: str) -> tuple[FleetHost, bool]:
        host = self.host(name)
        try:
            stopped = shell_for(host).run(scripts.stop_script(host), timeout=30).code == 0
        except ToolError:
            stopped = False
        self.conn.execute("DELETE FROM fleet_deployments WHERE host = ?", (name,))
        self.conn.execute("DELETE FROM fleet_hosts WHERE name = ?", (name,))
        return host, stopped

    def render_for(self, host: FleetHost, pipeline: spec.Pipeline) -> str:
        """The host's collector config: its pipeline, OTLP to the gateway, tagged with it."""
        explicit = "prometheus" in pipeline.export.model_fields_set and pipeline.export.prometheus
        rendered = render_otelcol(
            pipeline,
            RenderOptions(
                cores=host.cores,
                prometheus_endpoint=None if explicit else "",
                otlp_endpoint=host.gateway,
                health_endpoint=f"127.0.0.1:{host.health_port}",
                telemetry_port=host.telemetry_port,
                resource_attributes={
                    "host.name": host.name,
                    "phoenix.group": host.group,
                    "phoenix.pipeline": pipeline.name,
                },
            ),
        )
        header = "".join(f"# {note}\n" for note in rendered.notes)
        return header + yaml.safe_dump(rendered.config, sort_keys=False)

    def deploy(
        self,
        group: str,
        name_or_file: str,
        params: dict[str, str],
        progress: Callable[[str], None] = lambda _: None,
    ) -> list[FleetDeployment]:
        hosts = self.group(group)
        source_name, text = load_pipeline(name_or_file)
        pipeline = with_params(load_text(text, source_name), params)
        done = []
        for host in hosts:
            progress(f"{host.name}: deploying {pipeline.name}")
            config = self.render_for(host, pipeline)
            version = self._next_version(host.name)
            done.append(self._install(host, version, pipeline.name, params, config))
        return done

    def rollback(
        self, group: str, progress: Callable[[str], None] = lambda _: None
    ) -> list[FleetDeployment]:
        """Each host of the group back to the config it ran before its current one; a host
        with no earlier version is left as it is (and said so)."""
        done = []
        for host in self.group(group):
            running = self.conn.execute(
                "SELECT * FROM fleet_deployments WHERE host = ? AND outcome IN (?, ?)"
                " ORDER BY version DESC LIMIT 2",
                (host.name, Outcome.RUNNING.value, Outcome.SUPERSEDED.value),
            ).fetchall()
            if len(running) < 2:
                current = running[0] if running else None
                done.append(
                    FleetDeployment(
                        host=host.name,
                        group=host.group,
                        version=current["version"] if current else 0,
                        pipeline=current["pipeline"] if current else "",
                        params=json.loads(current["params"]) if current else {},
                        outcome=Outcome.UNCHANGED,
                        message="no earlier version to go back to",
                        deployed_at=current["deployed_at"] if current else _now(),
                    )
                )
                continue
            previous = running[1]
            progress(f"{host.name}: back to version {previous['version']}")
            done.append(
                self._install(
                    host,
                    self._next_version(host.name),
                    previous["pipeline"],
                    json.loads(previous["params"]),
                    previous["config"],
                    f"rollback to version {previous['version']}",
                )
            )
        if all(d.outcome is Outcome.UNCHANGED for d in done):
            raise ToolError(
                "PHOENIX_NOTHING_TO_ROLL_BACK",
                f"No host of group {group!r} has an earlier version to go back to.",
                suggestions=["See what they run: phoenix fleet status"],
                exit_code=ExitCode.CONFLICT,
            )
        return done

    def _next_version(self, host: str) -> int:
        row = self.conn.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM fleet_deployments WHERE host = ?", (host,)
        ).fetchone()
        return int(row[0])

    def _install(
        self,
        host: FleetHost,
        version: int,
        pipeline: str,
        params: dict[str, str],
        config: str,
        reason: str = "deployed",
    ) -> FleetDeployment:
        deployed = json.dumps({"version": version, "pipeline": pipeline, "params": params})
        reply = shell_for(host).run(scripts.deploy_script(host, config, deployed), timeout=120)
        said = reply.err.strip().splitlines()[-3:]
        if reply.code == scripts.DEPLOYED_HEALTHY:
            self.conn.execute(
                "UPDATE fleet_deployments SET outcome = ? WHERE host = ? AND outcome = ?",
                (Outcome.SUPERSEDED.value, host.name, Outcome.RUNNING.value),
            )
            outcome, message = Outcome.RUNNING, f"{reason}; healthy"
        elif reply.code == scripts.ROLLED_BACK:
            outcome = Outcome.FAILED
            message = "the collector failed its health checks; the host went back to its" + (
                f" previous config: {' | '.join(said)}"
            )
        else:
            outcome = Outcome.FAILED
            message = (
                f"the collector failed its health checks (exit {reply.code}) and the previous"
                f" config did not come back healthy either: {' | '.join(said)}"
            )
        self.conn.execute(
            "INSERT INTO fleet_deployments (host, version, pipeline, params, config, outcome,"
            " message, deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                host.name,
                version,
                pipeline,
                json.dumps(params),
                config,
                outcome.value,
                message,
                _now(),
            ),
        )
        return FleetDeployment(
            host=host.name,
            group=host.group,
            version=version,
            pipeline=pipeline,
            params=params,
            outcome=outcome,
            message=message,
            deployed_at=_now(),
        )

    def history(self, host: str) -> list[FleetDeployment]:
        rows = self.conn.execute(
            "SELECT d.*, h.host_group FROM fleet_deployments d JOIN fleet_hosts h"
            " ON h.name = d.host WHERE d.host = ? ORDER BY version DESC",
            (host,),
        ).fetchall()
        return [_deployment(r) for r in rows]

    def status(self, group: str | None = None) -> list[HostStatus]:
        return [host_status(host) for host in (self.group(group) if group else self.hosts())]


def default_workdir(home: Path, name: str) -> str:
    return str(home / "fleet" / name)
