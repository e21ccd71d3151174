"""prismd under load with an AWS profile (moto's server standing in for AWS over HTTP).

Idle RSS after start-up, then 50 concurrent clients each sending 1,000 list/info requests:
p95 latency, errors, and RSS growth. Targets: idle RSS <= 80 MB; p95 <= 50 ms; no errors;
RSS growth <= 10%.

This measures capacity, so its daemon runs with the per-client rate limit raised (all 50
clients share one address, and prismd ships limiting each address to 20 requests/s after a
burst of 200): PRISM_DAEMON_RATE_PER_SECOND and PRISM_DAEMON_RATE_BURST, set below.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import httpx
import psutil
from moto.server import ThreadedMotoServer

from groundwork.bench import print_figure

CLIENTS = 50
REQUESTS_PER_CLIENT = 1000
CAPACITY_LIMITS = {"PRISM_DAEMON_RATE_PER_SECOND": "100000", "PRISM_DAEMON_RATE_BURST": "100000"}


def prism(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "prism", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


async def client_run(url: str, token: str, names: list[str], latencies: list[float]) -> int:
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        for i in range(REQUESTS_PER_CLIENT):
            path = "/api/v1/workstations"
            if i % 2:
                path += f"/{names[i % len(names)]}"
            started = time.perf_counter()
            reply = await client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += reply.status_code != 200
    return errors


async def load(url: str, token: str, names: list[str]) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = await asyncio.gather(
        *(client_run(url, token, names, latencies) for _ in range(CLIENTS))
    )
    return latencies, sum(errors)


WRK_SCRIPT = """
local names = {%s}
local i = 0
request = function()
  i = i + 1
  local path = "/api/v1/workstations"
  if i %% 2 == 1 then path = path .. "/" .. names[(i %% #names) + 1] end
  return wrk.format("GET", path)
end
"""


def run_wrk(url: str, token: str, names: list[str]) -> str | None:
    """The same load from wrk (C, one thread), so the client is not what is measured."""
    if shutil.which("wrk") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(f'"{n}"' for n in names))
    done = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CLIENTS}",
            "-d20s",
            "--latency",
            "-s",
            script.name,
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(script.name).unlink()
    return done.stdout


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "credentials").write_text(
            "[bench]\naws_access_key_id = bench\naws_secret_access_key = bench\n"
        )
        (folder / "config").write_text("[profile bench]\nregion = us-east-1\n")
        env = {
            **os.environ,
            "PRISM_STATE_DIR": str(folder / "state"),
            "PRISM_DAEMON_PORT": "0",
            "AWS_CONFIG_FILE": str(folder / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            **CAPACITY_LIMITS,
        }
        aws = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
        endpoint = f"http://{host}:{port}"
        ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1", **aws)
        ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1", **aws)
        image = ec2.register_image(Name="bench-ubuntu", RootDeviceName="/dev/sda1")["ImageId"]
        ssm.put_parameter(Name="/bench/ubuntu-24.04/x86_64", Value=image, Type="String")
        prism(env, "profiles", "add", "bench", "--image-parameter-prefix", "/bench", "--use")
        prism(env, "daemon", "start")
        info = json.loads((folder / "state" / "prismd.json").read_text())
        daemon = psutil.Process(info["pid"])
        time.sleep(1.0)
        idle_rss = daemon.memory_info().rss / 2**20
        names = ["alpha", "beta", "gamma"]
        for name in names:
            prism(env, "launch", "ubuntu-server", name)
        token = (folder / "state" / "prismd.token").read_text().strip()
        try:
            _, errors = asyncio.run(load(info["url"], token, names))
            warm_rss = daemon.memory_info().rss / 2**20
            started = time.perf_counter()
            cpu_before = sum(daemon.cpu_times()[:2])
            latencies2, errors2 = asyncio.run(load(info["url"], token, names))
            elapsed = time.perf_counter() - started
            daemon_cpu = (sum(daemon.cpu_times()[:2]) - cpu_before) / elapsed * 100
            final_rss = daemon.memory_info().rss / 2**20
            wrk = run_wrk(info["url"], token, names)
        finally:
            prism(env, "daemon", "stop")
            server.stop()
    ordered = sorted(latencies2)
    limits = ", ".join(f"{k}={v}" for k, v in CAPACITY_LIMITS.items())
    print(f"  (rate limit raised for this daemon: {limits}; shipped: 20/s, burst 200)")
    print_figure("prismd idle RSS (AWS profile)", idle_rss, "MB", target="<= 80 MB")
    print_figure(
        f"{CLIENTS} clients x {REQUESTS_PER_CLIENT} list/info: p95",
        ordered[int(0.95 * len(ordered))],
        "ms",
        target="<= 50 ms",
    )
    print_figure("  median", statistics.median(ordered), "ms")
    print_figure("  throughput", len(ordered) / elapsed, "req/s")
    print_figure("  prismd CPU while loaded (of one core)", daemon_cpu, "%")
    print_figure("  errors", errors + errors2, "", target="0")
    if wrk is not None:
        print("  the same load from wrk (50 connections, 20 s):")
        for line in wrk.splitlines():
            if line.strip().startswith(("50%", "90%", "99%", "Requests/sec", "Non-2xx")):
                print("   ", line.strip())
    print_figure(
        "  RSS growth over the second round",
        (final_rss - warm_rss) / warm_rss * 100,
        "%",
        target="<= 10%",
    )


if __name__ == "__main__":
    main()
