"""The REST API served by uvicorn on a free port, with its token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from groundwork.service import running_service
from phoenix.server.api import server_app, server_config


@pytest.fixture
def api(tmp_path: Path) -> Iterator[httpx.Client]:
    config = server_config(tmp_path, "127.0.0.1", 0)
    app = server_app(tmp_path, config)
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        with httpx.Client(
            base_url=info.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            yield client


def test_the_api_needs_its_token(tmp_path: Path) -> None:
    config = server_config(tmp_path, "127.0.0.1", 0)
    with running_service(server_app(tmp_path, config), config) as info:
        assert httpx.get(f"{info.url}/api/v1/pipelines").status_code == 401


def test_deploy_and_roll_back(api: httpx.Client) -> None:
    assert len(api.get("/api/v1/pipelines").json()) == 5
    assert api.post("/api/v1/deployments", json={"pipeline": "process-topk-v1"}).status_code == 201
    api.post("/api/v1/deployments", json={"pipeline": "process-aggregated-v1"})
    rolled = api.post("/api/v1/deployments/rollback", json={}).json()
    assert rolled["pipeline"] == "process-topk-v1"
    unknown = api.post("/api/v1/deployments", json={"pipeline": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "PHOENIX_PIPELINE_NOT_FOUND"


def test_validation_reports_lines(api: httpx.Client) -> None:
    reply = api.post(
        "/api/v1/pipelines/validate", content=b"name: x\nprocessors: [{type: nope}]\n"
    ).json()
    assert reply["valid"] is False
    assert reply["problems"]


def test_an_experiment_through_the_api(api: httpx.Client) -> None:
    created = api.post(
        "/api/v1/experiments",
        json={
            "name": "api-trial",
            "candidate": "process-topk-v1",
            "duration": "2s",
            "interval": "1s",
        },
    ).json()
    api.post(f"/api/v1/experiments/{created['id']}/start")
    deadline = time.monotonic() + 30
    while True:
        state = api.get(f"/api/v1/experiments/{created['id']}").json()
        if state["experiment"]["state"] not in ("pending", "running", "analyzing"):
            break
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert state["experiment"]["state"] == "completed"
    assert state["variants"]["B"]["output_series"] <= state["variants"]["A"]["output_series"]
