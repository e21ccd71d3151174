"""The idle agent a workstation runs, run here by bash against a fake /proc (CPU load, SSH
sessions, RStudio sessions), stand-ins for nvidia-smi and jupyter on PATH (the notebook server's
kernels served over HTTP), publishing to CloudWatch in the AWS emulator, read back with boto3.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

AGENT = Path(str(resources.files("prism.idle").joinpath("agent.sh")))


def test_the_agent_passes_bash_and_shellcheck(system_tool: Any) -> None:
    subprocess.run(["bash", "-n", str(AGENT)], check=True)
    shellcheck = system_tool("shellcheck", package="shellcheck")
    subprocess.run([shellcheck, "--severity=style", str(AGENT)], check=True)


class Kernels:
    """A notebook server's /api/kernels, answering only with the server's token."""

    def __init__(self) -> None:
        self.kernels: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                ok = self.path == "/api/kernels" and self.headers["Authorization"] == "token s3cret"
                body = json.dumps(owner.kernels if ok else {"message": "Forbidden"}).encode()
                self.send_response(200 if ok else 403)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kernel(self, state: str, last_activity: datetime) -> None:
        self.kernels.append(
            {
                "id": f"k{len(self.kernels)}",
                "name": "python3",
                "execution_state": state,
                "last_activity": last_activity.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
        )


class Machine:
    """A workstation as the agent sees it: /proc, programs on PATH, its settings file."""

    def __init__(self, root: Path, moto_url: str, name: str) -> None:
        self.root = root
        self.name = name
        self.proc = root / "proc"
        self.bin = root / "bin"
        self.proc.mkdir()
        self.bin.mkdir()
        (self.proc / "cpuinfo").write_text("processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n")
        self.load(0.05)
        (root / "idle.env").write_text(
            f"PRISM_WORKSTATION='{name}'\nPRISM_PROJECT='-'\nPRISM_TEMPLATE='ubuntu-server'\n"
            "PRISM_REGION='us-east-1'\nPRISM_NAMESPACE='Prism/Workstations'\n"
            f"PRISM_ENDPOINT='{moto_url}/'\nPRISM_CHECK_MINUTES='5'\n"
            "PRISM_CPU_THRESHOLD='10'\nPRISM_GPU_THRESHOLD='5'\n"
        )

    def load(self, one_minute: float) -> None:
        (self.proc / "loadavg").write_text(f"{one_minute} 0.10 0.10 1/120 4242\n")

    def process(self, pid: int, cmdline: str, comm: str, ticks: tuple[int, int] = (0, 0)) -> None:
        folder = self.proc / str(pid)
        folder.mkdir(exist_ok=True)
        (folder / "cmdline").write_bytes(cmdline.replace(" ", "\0").encode() + b"\0")
        (folder / "comm").write_text(comm + "\n")
        utime, stime = ticks
        (folder / "stat").write_text(
            f"{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 100 0 0 0 {utime} {stime} 0 0 20 0 1\n"
        )

    def program(self, name: str, script: str) -> None:
        path = self.bin / name
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755)

    def run(self, *, credentials: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin",
            "PRISM_IDLE_CONF": str(self.root / "idle.env"),
            "PRISM_IDLE_PROC": str(self.proc),
            "PRISM_IDLE_STATE": str(self.root / "state"),
            "PRISM_IDLE_ROOT": str(self.root),
            "PRISM_IDLE_IMDS": "http://127.0.0.1:9",  # nothing listens: no instance profile
        }
        if credentials:
            env |= {"AWS_ACCESS_KEY_ID": "agent", "AWS_SECRET_ACCESS_KEY": "agent"}
        return subprocess.run(
            ["bash", str(AGENT)], env=env, capture_output=True, text=True, timeout=60
        )

    def published(self, aws: Any, metric: str) -> tuple[float, float] | None:
        """The lowest and highest value CloudWatch holds for this workstation's metric."""
        now = datetime.now(UTC)
        reply = aws("cloudwatch").get_metric_statistics(
            Namespace="Prism/Workstations",
            MetricName=metric,
            Dimensions=[
                {"Name": "Workstation", "Value": self.name},
                {"Name": "Project", "Value": "-"},
                {"Name": "Template", "Value": "ubuntu-server"},
            ],
            StartTime=now - timedelta(minutes=30),
            EndTime=now + timedelta(minutes=5),
            Period=3600,
            Statistics=["SampleCount", "Minimum", "Maximum"],
        )
        points = reply["Datapoints"]
        if not points:
            return None
        return min(p["Minimum"] for p in points), max(p["Maximum"] for p in points)


@pytest.fixture
def machine(tmp_path: Path, moto_url: str, request: pytest.FixtureRequest) -> Machine:
    return Machine(tmp_path, moto_url, f"agent-{request.node.name[5:40].replace('_', '-')}")


@pytest.fixture
def kernels() -> Iterator[Kernels]:
    server = Kernels()
    yield server
    server.server.shutdown()


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert result.stdout, result.stderr
    return dict(part.split("=", 1) for part in result.stdout.split(" (")[0].split())


def test_a_quiet_machine_is_idle_and_says_so_in_cloudwatch(machine: Machine, aws: Any) -> None:
    machine.process(100, "sshd: ann [priv]", "sshd")
    machine.process(101, "sshd: ann@notty", "sshd")  # a tunnel (prism web), not a login
    result = machine.run()
    assert result.returncode == 0, result.stdout + result.stderr
    seen = summary(result)
    assert seen["idle"] == "1"
    assert (seen["cpu"], seen["ssh"], seen["gpu"], seen["published"]) == ("2.5", "0", "-", "yes")
    assert machine.published(aws, "Idle") == (1.0, 1.0)
    assert machine.published(aws, "CPULoadPercent") == (2.5, 2.5)
    assert machine.published(aws, "SSHSessions") == (0.0, 0.0)
    assert machine.published(aws, "GPUUtilizationPercent") is None  # no GPU, no metric
    used = machine.published(aws, "RootDiskUsedPercent")
    assert used is not None and 0 <= used[0] <= 100


def test_a_login_or_cpu_load_is_activity(machine: Machine, aws: Any) -> None:
    machine.process(100, "sshd: ann@pts/0", "sshd")
    seen = summary(machine.run())
    assert (seen["idle"], seen["ssh"]) == ("0", "1")
    (machine.proc / "100" / "cmdline").unlink()
    machine.load(1.5)  # 75% of two CPUs
    seen = summary(machine.run())
    assert (seen["idle"], seen["ssh"], seen["cpu"]) == ("0", "0", "75.0")
    assert machine.published(aws, "Idle") == (0.0, 0.0)


def test_a_busy_gpu_is_activity(machine: Machine, aws: Any) -> None:
    machine.program("nvidia-smi", "echo 3\necho 87\n")
    seen = summary(machine.run())
    assert (seen["idle"], seen["gpu"]) == ("0", "87")
    assert machine.published(aws, "GPUUtilizationPercent") == (87.0, 87.0)
    machine.program("nvidia-smi", "echo 0\necho 2\n")
    assert summary(machine.run())["idle"] == "1"


def test_notebook_kernels_busy_or_used_since_the_last_sample_are_activity(
    machine: Machine, kernels: Kernels, aws: Any
) -> None:
    machine.program(
        "jupyter",
        f'[ "$1 $2 $3" = "server list --json" ] && echo \'{{"base_url": "/", "url":'
        f' "{kernels.url}", "token": "s3cret", "port": 8888}}\'\n',
    )
    kernels.kernel("idle", datetime(2020, 1, 1, tzinfo=UTC))
    first = summary(machine.run())
    assert (first["idle"], first["kernels"]) == ("1", "0")
    kernels.kernel("busy", datetime(2020, 1, 1, tzinfo=UTC))
    assert summary(machine.run())["idle"] == "0"
    kernels.kernels = []
    kernels.kernel("idle", datetime.now(UTC) + timedelta(seconds=5))  # ran a cell just now
    seen = summary(machine.run())
    assert (seen["idle"], seen["kernels"]) == ("0", "1")
    assert machine.published(aws, "BusyKernels") == (0.0, 1.0)


def test_an_rstudio_session_is_activity_only_while_it_uses_cpu(machine: Machine) -> None:
    machine.process(300, "/usr/lib/rstudio-server/bin/rsession -u ann", "rsession", (150, 30))
    assert summary(machine.run())["rstudio"] == "1"  # first sample: nothing to compare with
    quiet = summary(machine.run())
    assert (quiet["idle"], quiet["rstudio"]) == ("1", "0")  # open, but nothing ran
    machine.process(300, "/usr/lib/rstudio-server/bin/rsession -u ann", "rsession", (190, 31))
    busy = summary(machine.run())
    assert (busy["idle"], busy["rstudio"]) == ("0", "1")


def test_without_credentials_it_says_what_is_missing_and_fails(machine: Machine) -> None:
    result = machine.run(credentials=False)
    assert result.returncode == 1
    assert "published=no (no credentials: is the instance profile attached?)" in result.stdout
