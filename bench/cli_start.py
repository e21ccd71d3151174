"""How long a user waits for each tool to answer, and the CPU it burns doing so.

Every figure is a whole command as a user runs it, start-up included, warm, with
PYTHONDONTWRITEBYTECODE=1 (as many machines and containers set it) so that only the bytecode the
install compiled is used. `python3 -c pass` runs in the same loop, for scale: these machines are
shared and noisy, and the CPU time is the steadier figure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil

from groundwork.bench import CommandTiming, Timing, time_command

BIN = Path(sys.executable).parent
RUNS = 15
URL = re.compile(rb"http://\S+")


def tool(name: str) -> str:
    return str(BIN / name)


def row(name: str, timing: CommandTiming, target_ms: float | None) -> None:
    wall, cpu = timing.wall.median_ms, timing.cpu.median_ms
    verdict = ""
    if target_ms is not None:
        verdict = f"<= {target_ms:.0f} ms  " + ("met" if max(wall, cpu) <= target_ms else "MISSED")
    print(f"{name:<44} {wall:>8.0f} {cpu:>8.0f}   {verdict}")


def time_until_url(argv: list[str], env: Mapping[str, str], runs: int) -> CommandTiming:
    """`peragus start` serves on: the time and CPU until it has printed its login URL."""
    walls, cpus = [], []
    for _ in range(runs):
        started = time.perf_counter()
        server = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert server.stdout is not None
        try:
            while not URL.search(line := server.stdout.readline()):
                if not line:
                    raise RuntimeError(f"{argv} ended without printing a URL")
            walls.append((time.perf_counter() - started) * 1000)
            used = psutil.Process(server.pid).cpu_times()
            cpus.append((used.user + used.system) * 1000)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return CommandTiming(Timing(tuple(walls)), Timing(tuple(cpus)))


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PRISM_STATE_DIR": f"{home}/prism",
            "PRISM_DAEMON_PORT": "0",
            "AI_CONFIG_HOME": f"{home}/ai-config",
            "PHOENIX_HOME": f"{home}/phoenix",
            "PERAGUS_HOME": f"{home}/peragus",
        }

        def timed(*argv: str, runs: int = RUNS) -> CommandTiming:
            return time_command(list(argv), runs=runs, env=env)

        def setup(*argv: str) -> None:
            subprocess.run(list(argv), env=env, check=True, capture_output=True)

        setup(tool("ai-config"), "init")
        setup(tool("peragus"), "new", "Demo", "--language", "javascript")
        setup(tool("prism"), "daemon", "start")
        figures: list[tuple[str, Callable[[], CommandTiming], float | None]] = [
            ("python3 -c pass (for scale)", lambda: timed(sys.executable, "-c", "pass"), None),
            ("prism --version", lambda: timed(tool("prism"), "--version"), 150),
            ("ai-config --version", lambda: timed(tool("ai-config"), "--version"), 150),
            ("phoenix --version", lambda: timed(tool("phoenix"), "--version"), 150),
            ("peragus --version", lambda: timed(tool("peragus"), "--version"), 150),
            ("prism list (daemon running)", lambda: timed(tool("prism"), "list"), 300),
            (
                "ai-config library status",
                lambda: timed(tool("ai-config"), "library", "status"),
                300,
            ),
            ("phoenix pipeline list", lambda: timed(tool("phoenix"), "pipeline", "list"), 300),
            ("peragus list", lambda: timed(tool("peragus"), "list"), 300),
        ]
        print(f"{'median of ' + str(RUNS) + ' runs':<44} {'wall ms':>8} {'cpu ms':>8}   target")
        try:
            for name, measure, target in figures:
                row(name, measure(), target)
            start = [tool("peragus"), "start", "--port", "0", "--no-open"]
            row("peragus start, to a printed URL", time_until_url(start, env, runs=5), 1000)
            running = subprocess.Popen(start, env=env, stdout=subprocess.PIPE)
            try:
                assert running.stdout is not None
                while not URL.search(running.stdout.readline()):
                    pass
                row("peragus start again (server running)", timed(*start, runs=5), 1000)
            finally:
                running.terminate()
                running.wait(timeout=30)
        finally:
            setup(tool("prism"), "daemon", "stop", "--sandbox")


if __name__ == "__main__":
    main()
