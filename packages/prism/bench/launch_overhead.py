"""Daemon-side launch overhead: from the launch request to RunInstances returning.

Warm caches (images, architecture, key pair, security group), the sandbox, median of 10.
Target: <= 150 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from groundwork.bench import print_figure
from prism.daemon.engine import Engine
from prism.sandbox import Sandbox
from prism.workstations.launch import LaunchRequest


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        engine = Engine(home)
        try:
            samples = []
            for i in range(11):
                request = LaunchRequest(template="python-ml-workstation", name=f"bench-{i}")
                started = time.perf_counter()
                handle = engine.launch(request, wait=False)
                while handle.workstation.instance_id is None and handle.error is None:
                    time.sleep(0.0005)
                elapsed = (time.perf_counter() - started) * 1000
                while not handle.done:  # its record is still being written: let it finish
                    time.sleep(0.001)
                if handle.error is not None:
                    raise handle.error
                if i > 0:  # the first launch warms the caches and starts the sandbox
                    samples.append(elapsed)
            print_figure(
                "launch request -> RunInstances returned (median)",
                statistics.median(samples),
                "ms",
                target="<= 150 ms",
            )
            print_figure("  p95 of 10", sorted(samples)[-1], "ms")
        finally:
            try:
                engine.close()
            finally:
                Sandbox(home).stop()


if __name__ == "__main__":
    main()
