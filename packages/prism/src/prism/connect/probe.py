"""Is a workstation reachable yet? A port probe, then the SSH handshake as the health check.

A freshly booted instance accepts TCP before sshd is ready, and networks drop attempts; so each
attempt does the SSH key exchange (``get_server_host_key``, no login needed) and failures are
retried with exponential backoff and full jitter under a deadline: the original's policy of 10
attempts, 0.5 s base, 30 s cap.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncssh
import httpx

from groundwork.errors import ExitCode, ToolError
from groundwork.retry import RetryPolicy

__all__ = ["SSH_POLICY", "ProbeResult", "wait_for_http", "wait_for_ssh"]

SSH_POLICY = RetryPolicy(
    "ssh-connect", attempts=10, initial_seconds=0.5, max_wait_seconds=30, deadline_seconds=300
)


@dataclass(frozen=True)
class ProbeResult:
    attempts: int
    host_key_fingerprint: str


class _NotYet(Exception):
    transient = True


async def _handshake(host: str, port: int, timeout: float) -> str:
    try:
        key = await asyncio.wait_for(asyncssh.get_server_host_key(host, port), timeout)
    except (OSError, asyncssh.Error, TimeoutError) as exc:
        raise _NotYet(f"{type(exc).__name__}: {exc}") from exc
    if key is None:
        raise _NotYet("no host key offered")
    return str(key.get_fingerprint())


async def wait_for_ssh(
    host: str, port: int = 22, *, policy: RetryPolicy = SSH_POLICY, attempt_timeout: float = 10
) -> ProbeResult:
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        return await _handshake(host, port, attempt_timeout)

    try:
        fingerprint = await policy.acall(attempt)
    except _NotYet as exc:
        raise ToolError(
            "PRISM_SSH_UNREACHABLE",
            f"SSH on {host}:{port} did not answer after {attempts} attempts ({exc}).",
            suggestions=[
                "The workstation may still be booting: try again in a minute.",
                "Check that your network allows outgoing SSH (port 22).",
            ],
            context={"host": host, "port": port, "attempts": attempts},
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        ) from exc
    return ProbeResult(attempts, fingerprint)


async def wait_for_http(url: str, *, policy: RetryPolicy = SSH_POLICY) -> int:
    """Poll a web service through its tunnel until it answers below 500; returns the status."""

    async def attempt() -> int:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                reply = await client.get(url)
        except httpx.HTTPError as exc:
            raise _NotYet(str(exc)) from exc
        if reply.status_code >= 500:
            raise _NotYet(f"HTTP {reply.status_code}")
        return reply.status_code

    try:
        return await policy.acall(attempt)
    except _NotYet as exc:
        raise ToolError(
            "PRISM_WEB_UNREACHABLE",
            f"The service at {url} did not become healthy ({exc}).",
            suggestions=[
                "It may still be installing: prism info NAME shows the setup progress.",
            ],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        ) from exc
