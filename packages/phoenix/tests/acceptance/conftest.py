"""What the acceptance tests share: phoenix's CLI run as a user runs it, a real Prometheus on a
free loopback port, and a fleet of one local host whose phoenix-otelcol sends to a gateway
collector that Prometheus scrapes. Every test module here is marked `acceptance`
(make acceptance), and each test is named after the PRD acceptance test it is."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cli:
    """`phoenix ...` in a subprocess over one home, as a user (or a script) runs it."""

    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "phoenix", *args],
            env={**os.environ, **self.env, "PHOENIX_HOME": str(self.home), "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=180,
        )

    def json(self, *args: str, exit_code: int = 0) -> dict[str, Any]:
        done = self.run(*args, "-o", "json")
        assert done.returncode == exit_code, done.stdout + done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        return document


@dataclass
class Prometheus:
    url: str

    def query(self, promql: str) -> list[dict[str, Any]]:
        reply = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=10)
        return list(reply.json()["data"]["result"])

    def value(self, promql: str) -> float:
        found = self.query(promql)
        return float(found[0]["value"][1]) if found else 0.0

    def until(self, what: str, check: Callable[[], bool], seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            assert time.monotonic() < deadline, f"never saw {what}"
            time.sleep(0.5)


@pytest.fixture(scope="module")
def start_prometheus(
    system_tool: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Prometheus]]:
    """Starts Debian's Prometheus with the given scrape_configs (YAML), scraping every second."""
    binary = system_tool("prometheus", package="prometheus")
    started: list[subprocess.Popen[bytes]] = []

    def start(scrape_configs: str) -> Prometheus:
        folder = tmp_path_factory.mktemp("prometheus")
        port = free_port()
        (folder / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"scrape_configs:\n{scrape_configs}"
        )
        started.append(
            subprocess.Popen(
                [
                    binary,
                    f"--config.file={folder / 'prometheus.yml'}",
                    f"--storage.tsdb.path={folder / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        prometheus = Prometheus(f"http://127.0.0.1:{port}")

        def ready() -> bool:
            try:
                return httpx.get(f"{prometheus.url}/-/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        prometheus.until("Prometheus ready", ready, seconds=60)
        return prometheus

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Agent:
    url: str
    process: subprocess.Popen[str]


@pytest.fixture
def start_agent() -> Iterator[Callable[[Cli, float], Agent]]:
    """`phoenix agent --port 0` over a home, until the test ends; its /metrics URL is its first
    line of output."""
    started: list[subprocess.Popen[str]] = []

    def start(cli: Cli, interval: float) -> Agent:
        process = subprocess.Popen(
            [sys.executable, "-m", "phoenix", "agent", "--interval", str(interval), "--port", "0"],
            env={**os.environ, **cli.env, "PHOENIX_HOME": str(cli.home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        return Agent(process.stdout.readline().strip(), process)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def _agent_job(agent: Agent, home: Path) -> str:
    target = agent.url.removeprefix("http://").removesuffix("/metrics")
    return (
        "  - job_name: agent\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
        f"    authorization: {{credentials_file: {home / 'phoenix-agent.token'}}}\n"
    )


@pytest.fixture
def phoenix_cli() -> Callable[..., Cli]:
    """``phoenix_cli(home, env)``: the CLI over a home (test modules cannot import conftest)."""
    return Cli


@pytest.fixture
def agent_job() -> Callable[[Agent, Path], str]:
    """The scrape_configs entry for an agent: its address and its token file."""
    return _agent_job


@dataclass
class Fleet:
    """One local fleet host (group `lab`) whose collector sends OTLP to a gateway collector that
    Prometheus scrapes, all on loopback."""

    cli: Cli
    prometheus: Prometheus
    host: str = "lab-1"
    group: str = "lab"

    def pipelines_seen(self) -> set[str]:
        found = self.prometheus.query(
            f'count by (phoenix_pipeline) (process_threads{{phoenix_group="{self.group}"}})'
        )
        return {r["metric"].get("phoenix_pipeline", "") for r in found}


@pytest.fixture(scope="module")
def fleet(
    tmp_path_factory: pytest.TempPathFactory,
    otelcol: Path,
    start_prometheus: Callable[[str], Prometheus],
) -> Iterator[Fleet]:
    home = tmp_path_factory.mktemp("fleet-home")
    cli = Cli(home, {"PHOENIX_OTELCOL": str(otelcol)})
    exporter, listen = free_port(), f"127.0.0.1:{free_port()}"
    gateway = cli.run(
        "fleet",
        "gateway",
        "--listen",
        listen,
        "--prometheus",
        f"127.0.0.1:{exporter}",
        "--expire",
        "15",
        "--health-endpoint",
        f"127.0.0.1:{free_port()}",
        "--telemetry-port",
        str(free_port()),
    )
    assert gateway.returncode == 0, gateway.stderr
    (home / "gateway.yaml").write_text(gateway.stdout)
    with (home / "gateway.log").open("wb") as log:
        collector = subprocess.Popen(
            [str(otelcol), f"--config={home / 'gateway.yaml'}"], stdout=log, stderr=log
        )
    prometheus = start_prometheus(
        f"  - job_name: gateway\n    static_configs: [{{targets: ['127.0.0.1:{exporter}']}}]\n"
    )
    made = Fleet(cli, prometheus)
    try:
        cli.json(
            "fleet",
            "host",
            "add",
            made.host,
            "--local",
            "--group",
            made.group,
            "--gateway",
            f"http://{listen}",
            "--health-port",
            str(free_port()),
            "--telemetry-port",
            str(free_port()),
        )
        yield made
    finally:
        cli.run("fleet", "host", "remove", made.host)
        collector.terminate()
        collector.wait(timeout=20)
