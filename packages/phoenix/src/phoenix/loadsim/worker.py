"""What a simulated process runs: a CPU and memory pattern, until it is told to stop.

Started through a symlink named like the service it plays, so its process name is that name.
It asks the kernel to kill it when its supervisor dies (PR_SET_PDEATHSIG), so a supervisor
killed with SIGKILL leaves no orphans running.
"""

from __future__ import annotations

import ctypes
import os
import random
import signal
import sys
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        sys.exit(0)


def main(pattern: str, cpu_percent: float, memory_mb: int) -> None:
    _die_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ballast = bytearray(memory_mb * 1024 * 1024)
    for page in range(0, len(ballast), 4096):  # touch every page, so the memory is resident
        ballast[page] = 1
    rng = random.Random(os.getpid())  # noqa: S311 - simulated load, not security
    tick = 0.1
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        share = cpu_percent / 100
        if pattern == "spiky":
            share = share * 5 if int(elapsed) % 10 < 2 else share * 0.2
        elif pattern == "growing":
            share = min(1.0, share * (1 + elapsed / 60))
            if len(ballast) < (memory_mb * 4) * 1024 * 1024:
                ballast.extend(bytes(64 * 1024))
        elif pattern == "random":
            share = share * rng.uniform(0, 2)
        busy_until = time.monotonic() + tick * min(share, 1.0)
        while time.monotonic() < busy_until:
            pass
        time.sleep(tick * (1 - min(share, 1.0)))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
