"""Agent overhead with 1,000 processes at a 10 s interval: share of one core and RSS, printed
beside a plain psutil loop that collects the same attributes every 10 s and does nothing else
(the floor any Python agent starts from).

Targets: <= 2% of one core and <= 80 MB RSS (the original's PRD asks < 5% and < 100 MiB).
The 1,000 processes are the load simulator's, idle ones, so the host stays usable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from groundwork.bench import print_figure
from phoenix.collector.scrape import IDENTITY_ATTRS, PSUTIL_ATTRS
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import LoadSpec, ProcessGroup

MEASURE_SECONDS = 40


ALL_ATTRS = PSUTIL_ATTRS + IDENTITY_ATTRS
PSUTIL_LOOP = f"""
import time, psutil
print("ready", flush=True)
while True:
    started = time.monotonic()
    rows = [p.info for p in psutil.process_iter(attrs={ALL_ATTRS!r}, ad_value=None)]
    time.sleep(max(0.0, 10 - (time.monotonic() - started)))
"""


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """A process's share of one core and its RSS over MEASURE_SECONDS, after a warm-up."""
    agent = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert agent.stdout is not None
        agent.stdout.readline()
        process = psutil.Process(agent.pid)
        time.sleep(5)
        before = sum(process.cpu_times()[:2])
        started = time.monotonic()
        time.sleep(MEASURE_SECONDS)
        cpu = (sum(process.cpu_times()[:2]) - before) / (time.monotonic() - started) * 100
        return cpu, process.memory_info().rss / 2**20, len(psutil.pids())
    finally:
        agent.terminate()
        agent.wait()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "PHOENIX_HOME": str(home)}
        subprocess.run(
            [sys.executable, "-m", "phoenix", "pipeline", "deploy", "process-topk-v1"],
            env=env,
            check=True,
            capture_output=True,
        )
        sim = LoadSim(home, logs=home / "logs")
        sim.start(LoadSpec(profile="bench", groups=[ProcessGroup(name="svc-{i}", count=1000)]))
        try:
            agent = [sys.executable, "-m", "phoenix", "agent", "--interval", "10", "--port", "0"]
            cpu, rss, processes = measure(agent, env)
            loop_cpu, loop_rss, _ = measure([sys.executable, "-c", PSUTIL_LOOP], env)
        finally:
            sim.stop()
    print_figure(
        f"agent CPU, {processes} processes on the host, 10 s interval",
        cpu,
        "% of a core",
        target="<= 2%",
    )
    print_figure("  a plain psutil loop, same attributes", loop_cpu, "% of a core")
    print_figure("agent RSS", rss, "MB", target="<= 80 MB")
    print_figure("  a plain psutil loop, same attributes", loop_rss, "MB")


if __name__ == "__main__":
    main()
