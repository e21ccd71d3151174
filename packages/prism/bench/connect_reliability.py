"""The connection manager against a flaky network: 1,000 connects to a real SSH server
(asyncssh on loopback) that drops 10% of connection attempts. Target: >= 99.5% succeed.

The retry policy is prism's own (full jitter, doubling waits) with the waits scaled down 50x so
the run takes seconds; the attempts and their order are what the real policy does.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncssh

from groundwork.bench import print_figure
from groundwork.errors import ToolError
from groundwork.logs import configure_logging
from groundwork.retry import RetryPolicy
from prism.connect.probe import SSH_POLICY, wait_for_ssh

CONNECTS = 1000
DROP_RATE = 0.10


class FlakyServer(asyncssh.SSHServer):
    rng = random.Random(42)

    def connection_made(self, conn: Any) -> None:
        if self.rng.random() < DROP_RATE:
            conn.abort()


async def run() -> tuple[int, int, float]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    server = await asyncssh.create_server(FlakyServer, "127.0.0.1", 0, server_host_keys=[key])
    port = server.sockets[0].getsockname()[1]
    policy = RetryPolicy(
        "bench",
        attempts=SSH_POLICY.attempts,
        initial_seconds=SSH_POLICY.initial_seconds / 50,
        max_wait_seconds=SSH_POLICY.max_wait_seconds / 50,
        deadline_seconds=SSH_POLICY.deadline_seconds,
    )
    limit = asyncio.Semaphore(25)
    attempts = 0

    async def one() -> bool:
        nonlocal attempts
        async with limit:
            try:
                result = await wait_for_ssh("127.0.0.1", port, policy=policy, attempt_timeout=5)
            except ToolError:
                return False
            attempts += result.attempts
            return True

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(one() for _ in range(CONNECTS)))
    elapsed = time.perf_counter() - started
    server.close()
    return sum(outcomes), attempts, elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        configure_logging(Path(tmp) / "bench.log")
        succeeded, attempts, elapsed = asyncio.run(run())
    _report(succeeded, attempts, elapsed)


def _report(succeeded: int, attempts: int, elapsed: float) -> None:
    print_figure(
        f"connects that succeeded ({DROP_RATE:.0%} of attempts dropped)",
        succeeded / CONNECTS * 100,
        "%",
        target=">= 99.5%",
    )
    print_figure("  mean attempts per successful connect", attempts / max(succeeded, 1), "")
    print_figure("  wall time for 1,000 connects", elapsed, "s")


if __name__ == "__main__":
    main()
