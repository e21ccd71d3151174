"""A real SSH server on loopback (asyncssh) that can start late, refuse or drop connections."""

from __future__ import annotations

import random
import socket
import sys
from typing import Any

import asyncssh
import pytest

HOST_KEY = asyncssh.generate_private_key("ssh-ed25519")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FlakyServer(asyncssh.SSHServer):
    """Drops the first ``refuse_first`` connections, then a ``drop_rate`` fraction of them."""

    seen = 0
    refuse_first = 0
    drop_rate = 0.0
    rng = random.Random(7)

    def connection_made(self, conn: Any) -> None:
        cls = type(self)
        cls.seen += 1
        if cls.seen <= cls.refuse_first or cls.rng.random() < cls.drop_rate:
            conn.abort()


async def start(port: int, *, refuse_first: int = 0, drop_rate: float = 0.0) -> Any:
    server_class = type(
        "Server", (FlakyServer,), {"seen": 0, "refuse_first": refuse_first, "drop_rate": drop_rate}
    )
    return await asyncssh.create_server(
        server_class, "127.0.0.1", port, server_host_keys=[HOST_KEY]
    )


@pytest.fixture
def ssh_server() -> Any:
    """The helpers above, for tests: ``ssh_server.start(port, ...)`` and ``free_port()``."""
    return sys.modules[__name__]
