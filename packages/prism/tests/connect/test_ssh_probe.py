"""Connection reliability against a real SSH server on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from groundwork.errors import ToolError
from groundwork.retry import RetryPolicy
from prism.connect.probe import wait_for_http, wait_for_ssh

FAST = RetryPolicy(
    "test", attempts=12, initial_seconds=0.02, max_wait_seconds=0.2, deadline_seconds=20
)


async def test_a_server_that_starts_late_is_waited_for(ssh_server: Any) -> None:
    port = ssh_server.free_port()

    async def late() -> object:
        await asyncio.sleep(0.4)
        return await ssh_server.start(port)

    starting = asyncio.create_task(late())
    result = await wait_for_ssh("127.0.0.1", port, policy=FAST, attempt_timeout=2)
    server = await starting
    assert result.attempts > 1
    assert result.host_key_fingerprint.startswith("SHA256:")
    server.close()


async def test_refused_connections_are_retried(ssh_server: Any) -> None:
    port = ssh_server.free_port()
    server = await ssh_server.start(port, refuse_first=3)
    result = await wait_for_ssh("127.0.0.1", port, policy=FAST, attempt_timeout=2)
    assert result.attempts == 4
    server.close()


async def test_nothing_listening_gives_a_clear_error_after_the_attempts(ssh_server: Any) -> None:
    port = ssh_server.free_port()
    policy = RetryPolicy("test", attempts=3, initial_seconds=0.01, max_wait_seconds=0.02)
    with pytest.raises(ToolError) as failed:
        await wait_for_ssh("127.0.0.1", port, policy=policy, attempt_timeout=1)
    assert failed.value.code == "PRISM_SSH_UNREACHABLE"
    assert "3 attempts" in failed.value.message


async def test_a_service_that_becomes_healthy_later_is_waited_for(ssh_server: Any) -> None:
    port = ssh_server.free_port()
    healthy_after = asyncio.get_running_loop().time() + 0.5

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        ready = asyncio.get_running_loop().time() > healthy_after
        status = b"200 OK" if ready else b"503 Service Unavailable"
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    assert await wait_for_http(f"http://127.0.0.1:{port}/", policy=FAST) == 200
    server.close()
