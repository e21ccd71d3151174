"""Shared fixtures: an AWS emulator (moto's ThreadedMotoServer) reached over HTTP by boto3."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_url: str) -> Any:
    """A factory of boto3 clients against the emulator."""

    def client(service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            endpoint_url=moto_url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


class MovableClock:
    """prismd's clock in a test: it stands still until the test moves it forward."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at

    def forward(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class ClockedPrismd:
    """A sandbox prismd in this process, on a clock the test moves (budgets, idle deadlines);
    PRISM_STATE_DIR points at its state, so a client in the test finds it."""

    state: Path
    clock: MovableClock
    engine: Any


@pytest.fixture(scope="module")
def clocked_prismd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockedPrismd]:
    """One per test module: its tests follow each other through one simulated day."""
    from groundwork.service import running_service
    from prism.daemon.main import build
    from prism.sandbox import Sandbox

    state = tmp_path_factory.mktemp("clocked")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PRISM_DAEMON_PORT", "0")
        env.setenv("PRISM_STATE_DIR", str(state))
        clock = MovableClock()
        app, engine = build(state, clock)
        try:
            with running_service(app, app.state.config):
                yield ClockedPrismd(state, clock, engine)
        finally:
            engine.close()
            Sandbox(state).stop()
