"""The CLI's side of prismd: start it on demand, call it, and turn its problems into errors."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from groundwork.errors import ExitCode, ToolError
from groundwork.service import ServiceInfo, read_service_info
from prism.daemon.config import daemon_config
from prism.workstations.progress import parse_sse

__all__ = ["DaemonClient"]

START_TIMEOUT_SECONDS = 20.0


class DaemonClient:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.config = daemon_config(home)
        self._client: httpx.Client | None = None

    def info(self) -> ServiceInfo | None:
        return read_service_info(self.config)

    def ensure_running(self) -> ServiceInfo:
        info = self.info()
        if info is not None:
            return info
        return self.start()

    def start(self) -> ServiceInfo:
        log_dir = self.home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (log_dir / "prismd.out").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "prism.daemon.main"],
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "PRISM_STATE_DIR": str(self.home)},
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            info = self.info()
            if info is not None and _healthy(info.url):
                return info
            if process.poll() is not None:
                break
            time.sleep(0.05)
        tail = _tail(log_dir / "prismd.out")
        raise ToolError(
            "PRISM_DAEMON_START_FAILED",
            "The prism daemon did not start." + (f" It said: {tail}" if tail else ""),
            suggestions=[
                f"Read its log: {log_dir / 'prismd.log'}",
                "Check the set-up: prism doctor",
            ],
            exit_code=ExitCode.UNAVAILABLE,
        )

    def client(self) -> httpx.Client:
        if self._client is None:
            info = self.ensure_running()
            token = self.config.token_file.read_text(encoding="utf-8").strip()
            self._client = httpx.Client(
                base_url=info.url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=httpx.Timeout(120.0, connect=5.0),
            )
        return self._client

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client().request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ToolError(
                "PRISM_DAEMON_UNREACHABLE",
                f"Could not talk to the prism daemon: {exc}.",
                suggestions=["Check it: prism daemon status", "Restart it: prism daemon start"],
                exit_code=ExitCode.UNAVAILABLE,
                transient=True,
            ) from exc
        return _decode(response)

    def events(self, path: str) -> Iterator[tuple[str, Any]]:
        """Server-Sent Events from the daemon, as they arrive."""
        with self.client().stream("GET", path, timeout=None) as response:
            if response.status_code >= 400:
                response.read()
                _decode(response)
            buffer = ""
            for chunk in response.iter_text():
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    yield from parse_sse(block + "\n\n")


def _decode(response: httpx.Response) -> Any:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        raise ToolError.from_problem(response.json())
    if response.status_code >= 400:
        raise ToolError(
            "PRISM_DAEMON_ERROR",
            f"The daemon answered {response.status_code}: {response.text[:200]}",
            suggestions=["See the daemon log: prism daemon logs"],
        )
    return response.json()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except FileNotFoundError:
        return ""
    return lines[-1][:300] if lines else ""
