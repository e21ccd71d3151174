"""A fleet on one machine: hosts are network namespaces on a bridge, each running phoenix-otelcol
deployed by `phoenix fleet`, sending OTLP to a gateway collector that a real Prometheus scrapes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from phoenix.pipelines import catalog

pytestmark = pytest.mark.timeout(420)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Fleet:
    home: Path
    lab: Any  # the root conftest's NetworkLab
    prometheus: str
    gateway: str
    hosts: dict[str, str]
    """host name -> its namespace"""

    def run(self, *args: str, exit_code: int = 0) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "phoenix", *args, "-o", "json"],
            env={**os.environ, "PHOENIX_HOME": str(self.home)},
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == exit_code, done.stdout + done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        return document

    def query(self, promql: str) -> list[dict[str, Any]]:
        try:
            reply = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": promql})
            return list(reply.json()["data"]["result"])
        except (httpx.HTTPError, ValueError, KeyError):
            return []

    def until(self, what: str, check: Callable[[], bool], seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            assert time.monotonic() < deadline, f"never: {what}"
            time.sleep(0.5)

    def pipelines_seen(self, group: str) -> dict[str, set[str]]:
        """host -> the pipelines whose series Prometheus has for it now."""
        found: dict[str, set[str]] = {}
        for r in self.query(
            f'count by (host_name, phoenix_pipeline) (process_threads{{phoenix_group="{group}"}})'
        ):
            found.setdefault(r["metric"]["host_name"], set()).add(r["metric"]["phoenix_pipeline"])
        return found


@pytest.fixture(scope="module")
def fleet(
    tmp_path_factory: pytest.TempPathFactory, otelcol: Path, system_tool: Any, network_lab: Any
) -> Iterator[Fleet]:
    prometheus = system_tool("prometheus", package="prometheus")
    system_tool("ip", package="iproute2")
    home = tmp_path_factory.mktemp("fleet-home")
    started: list[subprocess.Popen[bytes]] = []
    with network_lab() as made:
        namespaces = {f"h{i}": made.add_host() for i in range(1, 5)}
        exporter, prom_port = free_port(), free_port()
        listen = f"{made.gateway_ip}:{free_port()}"
        env = {**os.environ, "PHOENIX_HOME": str(home), "PHOENIX_OTELCOL": str(otelcol)}
        config = subprocess.run(
            [
                sys.executable,
                "-m",
                "phoenix",
                "fleet",
                "gateway",
                "--listen",
                listen,
                "--prometheus",
                f"127.0.0.1:{exporter}",
                # Longer than the hosts' 10 s collection interval, or series blink out between.
                "--expire",
                "15",
                "--health-endpoint",
                f"127.0.0.1:{free_port()}",
                "--telemetry-port",
                str(free_port()),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (home / "gateway.yaml").write_text(config)
        (home / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n  - job_name: gateway\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{exporter}']}}]\n"
        )
        with (home / "gateway.log").open("wb") as log:
            started.append(
                subprocess.Popen(
                    [str(otelcol), f"--config={home / 'gateway.yaml'}"], stdout=log, stderr=log
                )
            )
            started.append(
                subprocess.Popen(
                    [
                        prometheus,
                        f"--config.file={home / 'prometheus.yml'}",
                        f"--storage.tsdb.path={home / 'tsdb'}",
                        f"--web.listen-address=127.0.0.1:{prom_port}",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        made_fleet = Fleet(home, made, f"http://127.0.0.1:{prom_port}", listen, namespaces)
        try:
            for name, ns in namespaces.items():
                group = {"h1": "blue", "h2": "blue", "h3": "ab-a", "h4": "ab-b"}[name]
                added = made_fleet.run(
                    "fleet",
                    "host",
                    "add",
                    name,
                    "--local",
                    "--netns",
                    ns,
                    "--group",
                    group,
                    "--gateway",
                    f"http://{listen}",
                    "--collector",
                    str(otelcol),
                )
                assert added["host"]["netns"] == ns
            yield made_fleet
        finally:
            for name in namespaces:
                subprocess.run(
                    [sys.executable, "-m", "phoenix", "fleet", "host", "remove", name],
                    env=env,
                    capture_output=True,
                    check=False,
                )
            for process in started:
                process.terminate()
                process.wait(timeout=20)


def by_host(document: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {entry["host"]: entry for entry in document[key]}


def test_deploy_a_failing_host_rolls_back_alone_then_rollback(fleet: Fleet, tmp_path: Path) -> None:
    first = by_host(
        fleet.run("fleet", "deploy", "process-topk-v1", "--group", "blue"), "deployments"
    )
    assert {h: d["outcome"] for h, d in first.items()} == {"h1": "running", "h2": "running"}
    fleet.until(
        "both blue hosts' series at the gateway",
        lambda: (
            fleet.pipelines_seen("blue") == {"h1": {"process-topk-v1"}, "h2": {"process-topk-v1"}}
        ),
    )

    # h2's own port 19464 is taken, inside its namespace only: a config that also exports there
    # cannot start on h2, and is fine on h1.
    squatter = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            fleet.hosts["h2"],
            sys.executable,
            "-c",
            "import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 19464))\ns.listen()\n"
            "print('listening', flush=True)\ntime.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert squatter.stdout is not None and squatter.stdout.readline() == "listening\n"
        local = tmp_path / "local-export.yaml"
        local.write_text(
            catalog.source("process-aggregated-v1").replace(
                "name: process-aggregated-v1", "name: process-aggregated-local-v1"
            )
            + "export:\n  prometheus: {endpoint: '127.0.0.1:19464'}\n"
        )
        second = by_host(
            fleet.run("fleet", "deploy", str(local), "--group", "blue", exit_code=1), "deployments"
        )
        assert second["h1"]["outcome"] == "running"
        assert second["h2"]["outcome"] == "failed"
        assert "address already in use" in second["h2"]["message"]
        status = by_host(fleet.run("fleet", "status", "--group", "blue"), "host_statuses")
        assert (status["h1"]["pipeline"], status["h1"]["version"]) == (
            "process-aggregated-local-v1",
            2,
        )
        assert (status["h2"]["pipeline"], status["h2"]["version"]) == ("process-topk-v1", 1)
        assert status["h1"]["healthy"] and status["h2"]["healthy"]
        fleet.until(
            "h1 on the new pipeline and h2 still on the old one, at the gateway",
            lambda: (
                fleet.pipelines_seen("blue")
                == {"h1": {"process-aggregated-local-v1"}, "h2": {"process-topk-v1"}}
            ),
        )
    finally:
        squatter.kill()
        squatter.wait()

    back = by_host(fleet.run("fleet", "rollback", "--group", "blue"), "deployments")
    assert back["h1"]["outcome"] == "running" and back["h1"]["pipeline"] == "process-topk-v1"
    assert back["h2"]["outcome"] == "unchanged"
    fleet.until(
        "both blue hosts back on top-k at the gateway",
        lambda: (
            fleet.pipelines_seen("blue") == {"h1": {"process-topk-v1"}, "h2": {"process-topk-v1"}}
        ),
    )
    telemetry = by_host(fleet.run("fleet", "status", "--group", "blue"), "host_statuses")
    fleet.until(
        "h1's collector to count its own points",
        lambda: (
            (
                by_host(fleet.run("fleet", "status", "--group", "blue"), "host_statuses")["h1"][
                    "sent_points"
                ]
                or 0
            )
            > 0
        ),
    )
    assert telemetry["h1"]["version"] == 3
    assert telemetry["h1"]["refused_points"] in (0, None)


def test_an_ab_experiment_across_host_groups(fleet: Fleet, tmp_path: Path) -> None:
    sleep = shutil.which("sleep") or "/bin/sleep"
    critical = []
    for name in ("nginx", "postgres"):
        (tmp_path / name).symlink_to(sleep)
        critical.append(subprocess.Popen([str(tmp_path / name), "600"]))
    try:
        for process, name in zip(critical, ("nginx", "postgres"), strict=True):
            fleet.until(
                f"{name} running", lambda p=process, n=name: psutil.Process(p.pid).name() == n
            )
        created = fleet.run(
            "experiment",
            "create",
            "fleet-ab",
            "--baseline",
            "process-baseline-v1",
            "--candidate",
            "process-aggregated-v1",
            "--baseline-group",
            "ab-a",
            "--candidate-group",
            "ab-b",
            "--prometheus-url",
            fleet.prometheus,
            "--duration",
            "30s",
            "--interval",
            "5s",
            "--critical-processes",
            "nginx|postgres",
            "--success",
            "min_reduction=50,critical=100",
        )
        assert created["experiment"]["candidate_group"] == "ab-b"
        fleet.run("experiment", "start", "fleet-ab")
        fleet.until(
            "the experiment to finish",
            lambda: (
                fleet.run("experiment", "status", "fleet-ab")["experiment"]["state"]
                not in ("pending", "running", "analyzing")
            ),
            seconds=120,
        )
        report = fleet.run("experiment", "compare", "fleet-ab")
        assert report["experiment"]["state"] == "completed", report["experiment"]["message"]
        a, b = report["variants"]["A"], report["variants"]["B"]
        assert a["intervals"] == b["intervals"] >= 2
        assert b["output_series"] < a["output_series"] / 2
        assert a["critical_retention_percent"] == b["critical_retention_percent"] == 100
        # Counted once older than a collection interval (10 s) and 5 s more: in the later ones.
        assert a["critical_seen"] >= 2 and b["critical_seen"] >= 2
        assert report["experiment"]["verdict"] == "pass"
        status = by_host(fleet.run("fleet", "status"), "host_statuses")
        assert status["h3"]["pipeline"] == "process-baseline-v1"
        assert status["h4"]["pipeline"] == "process-aggregated-v1"
    finally:
        for process in critical:
            process.kill()
            process.wait()


def test_an_ssh_host_is_deployed_through_ssh(
    fleet: Fleet, tmp_path: Path, otelcol: Path, system_tool: Any
) -> None:
    """A host reached the way a remote one is: sshd listening in its own namespace, phoenix
    connecting over the bridge with its own key and known-hosts file."""
    sshd = system_tool("sshd", package="openssh-server")
    keygen = system_tool("ssh-keygen", package="openssh-client")
    ns = fleet.lab.add_host()
    address = fleet.lab.addresses[ns]
    for key in ("host_key", "client_key"):
        subprocess.run(
            [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / key)], check=True
        )
    (tmp_path / "authorized_keys").write_text((tmp_path / "client_key.pub").read_text())
    host_key = (tmp_path / "host_key.pub").read_text().split()
    (tmp_path / "known_hosts").write_text(f"{address} {host_key[0]} {host_key[1]}\n")
    (tmp_path / "sshd_config").write_text(
        f"ListenAddress {address}\nHostKey {tmp_path / 'host_key'}\n"
        f"AuthorizedKeysFile {tmp_path / 'authorized_keys'}\nPidFile {tmp_path / 'sshd.pid'}\n"
        "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "PermitRootLogin prohibit-password\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    server = subprocess.Popen(
        ["ip", "netns", "exec", ns, sshd, "-D", "-e", "-f", str(tmp_path / "sshd_config")],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        assert "Server listening" in line, line
        added = fleet.run(
            "fleet",
            "host",
            "add",
            "far",
            "--ssh",
            f"root@{address}",
            "--group",
            "far",
            "--gateway",
            f"http://{fleet.gateway}",
            "--collector",
            str(otelcol),
            "--workdir",
            str(tmp_path / "far"),
            "--ssh-option",
            f"IdentityFile={tmp_path / 'client_key'}",
            "--ssh-option",
            f"UserKnownHostsFile={tmp_path / 'known_hosts'}",
            "--ssh-option",
            "StrictHostKeyChecking=yes",
        )
        assert added["host"]["kind"] == "ssh"
        deployed = fleet.run("fleet", "deploy", "process-priority-filter-v1", "--group", "far")
        assert deployed["deployments"][0]["outcome"] == "running"
        fleet.until(
            "the ssh host's series at the gateway",
            lambda: fleet.pipelines_seen("far") == {"far": {"process-priority-filter-v1"}},
        )
        status = fleet.run("fleet", "status", "--group", "far")["host_statuses"][0]
        assert status["healthy"] and status["pipeline"] == "process-priority-filter-v1"
        removed = fleet.run("fleet", "host", "remove", "far")
        assert removed["collector_stopped"] is True
        assert not (tmp_path / "far" / "collector.pid").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
