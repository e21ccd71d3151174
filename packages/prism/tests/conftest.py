"""Shared fixtures: an AWS emulator (moto's ThreadedMotoServer) reached over HTTP by boto3."""

from __future__ import annotations

from collections.abc import Iterator
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
