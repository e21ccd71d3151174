"""`phoenix pipeline verify`: the pipeline on phoenix-otelcol beside phoenix's own agent, on the
same host at the same time, both scraped by a real Prometheus that does the counting.

The agent runs in a private temporary home with the pipeline deployed, so the user's own
deployment is untouched; everything listens on free loopback ports and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

from groundwork.errors import ExitCode, ToolError
from phoenix.collector.model import SERIES_PER_ROW
from phoenix.deployments import deploy, load_pipeline, with_params
from phoenix.otelcol.binary import find_collector
from phoenix.otelcol.render import RenderOptions, render_otelcol
from phoenix.otelcol.results import Side, Verification
from phoenix.pipelines.loader import load_text
from phoenix.pipelines.processors import name_matcher
from phoenix.store import open_store

__all__ = ["NEAR_THRESHOLD_SERIES", "find_prometheus", "verify"]

NEAR_THRESHOLD_SERIES = 2 * SERIES_PER_ROW
"""The least difference allowed: two samplers a second apart may put two processes on either
side of a CPU threshold (a process at 50% of a core is `high` for one and not the other)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_prometheus(explicit: Path | None = None) -> Path:
    found = str(explicit) if explicit else shutil.which("prometheus")
    if not found or not Path(found).is_file():
        raise ToolError(
            "PHOENIX_PROMETHEUS_NOT_FOUND",
            "verify counts series with a real Prometheus server, and none was found.",
            suggestions=["apt-get install prometheus", "Or name one: --prometheus PATH"],
            exit_code=ExitCode.UNAVAILABLE,
        )
    return Path(found)


@dataclass
class _Run:
    folder: Path
    processes: list[subprocess.Popen[bytes]]

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> psutil.Process:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=env
        )
        self.processes.append(process)
        return psutil.Process(process.pid)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def _run() -> Iterator[_Run]:
    with tempfile.TemporaryDirectory(prefix="phoenix-verify-") as folder:
        run = _Run(Path(folder), [])
        try:
            yield run
        finally:
            run.stop()


class _Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=5)

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        params = {"query": promql} | ({"time": f"{at:.3f}"} if at is not None else {})
        try:
            reply = self.client.get(f"{self.url}/api/v1/query", params=params).json()
        except (httpx.HTTPError, ValueError):
            return []
        return list(reply.get("data", {}).get("result", []))

    def scalar(self, promql: str, at: float | None = None) -> float:
        found = self.query(promql, at)
        return float(found[0]["value"][1]) if found else 0.0


def _wait(what: str, ready: Any, deadline: float, logs: Path) -> None:
    while not ready():
        if time.monotonic() > deadline:
            raise ToolError(
                "PHOENIX_VERIFY_TIMEOUT",
                f"verify gave up waiting for {what}.",
                suggestions=[f"See the logs in {logs} (kept only while verify runs)."],
                exit_code=ExitCode.TIMEOUT,
            )
        time.sleep(0.25)


def verify(
    name: str,
    params: dict[str, str],
    *,
    collector: Path | None = None,
    prometheus: Path | None = None,
    interval: float = 2.0,
    scrapes: int = 3,
    timeout: float = 120.0,
) -> Verification:
    """Run both, wait for `scrapes` collections of each, count once in Prometheus."""
    binary = find_collector(collector)
    prometheus_binary = find_prometheus(prometheus)
    source_name, text = load_pipeline(name)
    pipeline = with_params(load_text(text, source_name), params)
    is_critical = name_matcher(pipeline.critical_processes)
    started = time.time()
    deadline = time.monotonic() + timeout
    with _run() as run:
        home = run.folder / "home"
        home.mkdir(mode=0o700)
        deploy(open_store(home), name, params, "phoenix pipeline verify")
        ports = {key: free_port() for key in ("exporter", "health", "telemetry", "prometheus")}
        rendered = render_otelcol(
            pipeline,
            RenderOptions(
                prometheus_endpoint=f"127.0.0.1:{ports['exporter']}",
                health_endpoint=f"127.0.0.1:{ports['health']}",
                telemetry_port=ports["telemetry"],
                collection_interval_seconds=interval,
            ),
        )
        config = run.folder / "collector.yaml"
        config.write_text(yaml.safe_dump(rendered.config, sort_keys=False))
        collector_process = run.start("collector", [str(binary), f"--config={config}"])
        agent_process = run.start(
            "agent",
            [
                sys.executable,
                "-m",
                "phoenix",
                "agent",
                "--interval",
                f"{interval:g}",
                "--port",
                "0",
            ],
            env={**os.environ, "PHOENIX_HOME": str(home)},
        )
        agent_out = run.processes[-1].stdout
        assert agent_out is not None
        agent_url = agent_out.readline().decode().strip()
        if not agent_url.startswith("http://"):
            raise ToolError(
                "PHOENIX_VERIFY_AGENT_FAILED",
                "phoenix's agent did not start for the comparison.",
                suggestions=[f"Run it by hand to see why: PHOENIX_HOME={home} phoenix agent"],
                exit_code=ExitCode.FAILURE,
            )
        agent_target = agent_url.removeprefix("http://").removesuffix("/metrics")
        scrape = run.folder / "prometheus.yml"
        scrape.write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                    "scrape_configs": [
                        {
                            "job_name": "engine",
                            "static_configs": [{"targets": [agent_target]}],
                            "authorization": {
                                "credentials_file": str(home / "phoenix-agent.token")
                            },
                        },
                        {
                            "job_name": "collector",
                            "static_configs": [{"targets": [f"127.0.0.1:{ports['exporter']}"]}],
                        },
                        {
                            "job_name": "collector-telemetry",
                            "static_configs": [{"targets": [f"127.0.0.1:{ports['telemetry']}"]}],
                        },
                    ],
                }
            )
        )
        run.start(
            "prometheus",
            [
                str(prometheus_binary),
                f"--config.file={scrape}",
                f"--storage.tsdb.path={run.folder / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
            ],
        )
        prom = _Prometheus(f"http://127.0.0.1:{ports['prometheus']}")

        def engine_scrapes() -> float:
            return prom.scalar('phoenix_agent_scrapes_total{job="engine"}')

        def collections() -> float:
            return prom.scalar(
                "changes(otelcol_scraper_scraped_metric_points_total"
                '{job="collector-telemetry",scraper="process"}[10m]) + 1'
            )

        _wait(
            "phoenix's agent and the collector", lambda: engine_scrapes() >= 1, deadline, run.folder
        )
        _wait("the collector's first collection", lambda: collections() >= 1, deadline, run.folder)
        # CPU is measured from here, after start-up, over the collections compared.
        cpu_from = {p.pid: (_cpu(p), time.monotonic()) for p in (agent_process, collector_process)}
        _wait(
            f"{scrapes} scrapes by phoenix's agent",
            lambda: engine_scrapes() >= scrapes,
            deadline,
            run.folder,
        )
        _wait(
            f"{scrapes} collections by the collector",
            lambda: collections() >= scrapes,
            deadline,
            run.folder,
        )
        ready_at = time.time()
        _wait(
            "a fresh Prometheus scrape of both",
            lambda: (
                min(prom.scalar(f'timestamp(up{{job="{job}"}})') for job in ("engine", "collector"))
                > ready_at
            ),
            deadline,
            run.folder,
        )
        at = time.time()
        critical = _critical_throughout(is_critical, started)
        kept_by = {job: _kept(prom, job, at) for job in ("engine", "collector")}
        throughout = _alive_since(started)
        still = _critical_throughout(is_critical, started)
        critical = {pid: label for pid, label in critical.items() if pid in still}
        sides = {
            job: _side(prom, job, at, critical, throughout, process, cpu_from[process.pid])
            for job, process in (("engine", agent_process), ("collector", collector_process))
        }
        kept = set(kept_by["collector"])
        missing = sorted(label for pid, label in critical.items() if pid not in kept)
    engine, collected = sides["engine"], sides["collector"]
    base, other = engine.compared_series, collected.compared_series
    difference = 100.0 * (other - base) / base if base else 0.0
    tolerance = pipeline.collector_tolerance_percent
    allowed = max(tolerance / 100 * base, NEAR_THRESHOLD_SERIES)
    passed = abs(other - base) <= allowed and not missing and base > 0
    return Verification(
        pipeline=pipeline.name,
        fidelity="approximate" if rendered.approximate else "exact",
        collector_binary=str(binary),
        interval_seconds=interval,
        engine=engine,
        collector=collected,
        difference_percent=round(difference, 1),
        tolerance_percent=tolerance,
        tolerance_series=round(allowed),
        critical_on_host=len(critical),
        critical_missing=missing,
        only_engine=sorted(
            f"{label}:{pid}"
            for pid, label in kept_by["engine"].items()
            if pid not in kept_by["collector"]
        ),
        only_collector=sorted(
            f"{label}:{pid}"
            for pid, label in kept_by["collector"].items()
            if pid not in kept_by["engine"]
        ),
        passed=passed,
        notes=rendered.notes,
    )


def _kept(prom: _Prometheus, job: str, at: float) -> dict[int, str]:
    """pid -> executable name of the processes a job's output has at that moment."""
    return {
        int(r["metric"]["process_pid"]): r["metric"].get("process_executable_name", "")
        for r in prom.query(
            "count by (process_pid, process_executable_name)"
            f' (process_memory_usage_bytes{{job="{job}"}})',
            at,
        )
        if r["metric"].get("process_pid", "").isdigit()
    }


def _critical_throughout(is_critical: Any, since: float) -> dict[int, str]:
    """Critical processes alive now that were already running when verify started."""
    found = {}
    for process in psutil.process_iter(["pid", "name", "create_time"]):
        info = process.info
        if info["name"] and is_critical(info["name"]) and (info["create_time"] or 0) < since:
            found[info["pid"]] = f"{info['name']}:{info['pid']}"
    return found


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _alive_since(since: float) -> set[int]:
    return {
        p.info["pid"]
        for p in psutil.process_iter(["pid", "create_time"])
        if (p.info["create_time"] or since) < since
    }


def _side(
    prom: _Prometheus,
    job: str,
    at: float,
    critical: dict[int, str],
    throughout: set[int],
    process: psutil.Process,
    cpu_from: tuple[float, float],
) -> Side:
    by_pid = {
        r["metric"].get("process_pid", ""): int(float(r["value"][1]))
        for r in prom.query(f'count by (process_pid) ({{job="{job}", __name__=~"process_.+"}})', at)
    }
    pids = {int(pid) for pid in by_pid if pid.isdigit()}
    compared = sum(
        count for pid, count in by_pid.items() if not pid.isdigit() or int(pid) in throughout
    )
    cpu, since = cpu_from
    spent = _cpu(process) - cpu
    elapsed = max(0.001, time.monotonic() - since)
    rss = process.memory_info().rss
    return Side(
        series=sum(by_pid.values()),
        compared_series=compared,
        processes=len(pids),
        critical_kept=len(set(critical) & pids),
        cpu_percent=round(100.0 * spent / elapsed, 2),
        rss_mb=round(rss / 2**20, 1),
    )
