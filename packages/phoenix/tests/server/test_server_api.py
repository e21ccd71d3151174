"""The REST API served by uvicorn on a free port, with its token."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundwork.service import running_service
from phoenix.pipelines import catalog
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
    assert len(api.get("/api/v1/pipelines").json()["pipelines"]) == len(catalog.names())
    created = api.post("/api/v1/deployments", json={"pipeline": "process-topk-v1"})
    assert created.status_code == 201
    assert created.json()["deployment"]["version"] == 1
    api.post("/api/v1/deployments", json={"pipeline": "process-aggregated-v1"})
    rolled = api.post("/api/v1/deployments/rollback", json={}).json()
    assert rolled["deployment"]["pipeline"] == "process-topk-v1"
    assert "type: topk" in api.get("/api/v1/deployments/config").json()["config"]
    status = api.get("/api/v1/deployments").json()
    assert [d["version"] for d in status["deployments"]] == [3, 2, 1]
    assert status["deployment"] == rolled["deployment"]
    unknown = api.post("/api/v1/deployments", json={"pipeline": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "PHOENIX_PIPELINE_NOT_FOUND"


def test_validation_reports_lines(api: httpx.Client) -> None:
    reply = api.post(
        "/api/v1/pipelines/validate", content=b"name: x\nprocessors: [{type: nope}]\n"
    ).json()
    assert reply["valid"] is False
    assert reply["pipeline"] is None
    assert reply["problems"][0] == {
        "line": 2,
        "where": "processors.0.type",
        "message": reply["problems"][0]["message"],
    }
    assert "unknown processor 'nope'" in reply["problems"][0]["message"]


def test_an_experiment_through_the_api(api: httpx.Client) -> None:
    created = api.post(
        "/api/v1/experiments",
        json={
            "name": "api-trial",
            "candidate": "process-topk-v1",
            "duration": "2s",
            "interval": "1s",
        },
    ).json()["experiment"]
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
    promoted = api.post(
        f"/api/v1/experiments/{created['id']}/promote", params={"variant": "baseline"}
    ).json()
    assert promoted["deployment"]["pipeline"] == "process-baseline-v1"
    bad_variant = api.post(
        f"/api/v1/experiments/{created['id']}/promote", params={"variant": "both"}
    )
    assert bad_variant.status_code == 422
    deleted = api.delete(f"/api/v1/experiments/{created['id']}").json()
    assert deleted == {"experiment": deleted["experiment"], "deleted": True}
    assert api.get(f"/api/v1/experiments/{created['id']}").status_code == 404


def _reply_schemas(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        media["schema"]
        for status, reply in operation["responses"].items()
        if status in ("200", "201", "204")
        for media in reply.get("content", {}).values()
    ]


def test_openapi_types_every_reply(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 20
    for name, operation in operations:
        if name.endswith("/report.html"):
            continue  # a page, checked below
        [schema] = _reply_schemas(operation)
        assert set(schema) == {"$ref"}, f"{name} replies {schema}, not a declared model"
    experiment = spec["components"]["schemas"]["ExperimentReport"]["properties"]
    assert set(experiment) == {"experiment", "variants", "intervals"}
    events = spec["paths"]["/api/v1/experiments/{experiment_id}/events"]["get"]["responses"]
    assert events["200"]["content"] == {
        "text/event-stream": {"schema": {"$ref": "#/components/schemas/ExperimentEvent"}}
    }
    assert "ExperimentEvent" in spec["components"]["schemas"]
    html = spec["paths"]["/api/v1/experiments/{experiment_id}/report.html"]["get"]["responses"]
    assert html["200"]["content"] == {"text/html": {"schema": {"type": "string"}}}


def test_the_console_routes(api: httpx.Client) -> None:
    [row] = api.get("/api/v1/hosts").json()["host_deployments"]
    assert row["host"] == "this host" and row["pipeline"] == "process-baseline-v1"
    assert row["status"] == "down" and row["problem"]["code"] == "PHOENIX_AGENT_DOWN"
    entry = api.get("/api/v1/catalog/process-topk-v1").json()["catalog_entry"]
    assert entry["source"] == catalog.source("process-topk-v1")
    assert entry["collector_yaml"].startswith("# phoenix pipeline process-topk-v1")
    assert {"name": "topk.k", "value": "20"} in entry["parameters"]
    assert entry["measurement"]["fidelity"] == "approximate"
    assert api.get("/api/v1/catalog/nope").json()["code"] == "PHOENIX_PIPELINE_NOT_FOUND"
    assert api.get("/api/v1/fleet/hosts").json() == {"hosts": []}
    assert api.get("/api/v1/fleet/status").json() == {"host_statuses": []}
    empty = api.post("/api/v1/fleet/rollback", json={"group": "web"})
    assert (empty.status_code, empty.json()["code"]) == (404, "PHOENIX_GROUP_EMPTY")
    page = api.get("/catalog/process-topk-v1")
    assert page.status_code == 200 and '<div id="app">' in page.text


def test_a_console_page_preloads_the_reply_its_view_shows_first(api: httpx.Client) -> None:
    for path, reply in (
        ("/", "/api/v1/hosts"),
        ("/catalog", "/api/v1/pipelines"),
        ("/catalog/process-topk-v1", "/api/v1/catalog/process-topk-v1"),
        ("/experiments", "/api/v1/experiments"),
    ):
        page = api.get(path).text
        assert f'<link rel="preload" href="{reply}" as="fetch" crossorigin />' in page
    assert 'rel="preload"' not in api.get("/experiments/e-1").text  # an event stream instead
    hostile = api.get('/catalog/"><img src=x onerror=alert(1)>').text
    assert "<img" not in hostile
    assert 'href="/api/v1/catalog/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"' in hostile


def test_an_experiment_streams_its_figures_until_it_ends(api: httpx.Client) -> None:
    created = api.post(
        "/api/v1/experiments",
        json={
            "name": "streamed",
            "candidate": "process-topk-v1",
            "duration": "3s",
            "interval": "1s",
        },
    ).json()["experiment"]
    api.post(f"/api/v1/experiments/{created['id']}/start")
    events = []
    with api.stream("GET", f"/api/v1/experiments/{created['id']}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "report":
                events.append(json.loads(line.removeprefix("data: ")))
    # The stream ended by itself once the experiment had ended, after showing its progress.
    states = [e["report"]["experiment"]["state"] for e in events]
    assert states[-1] == "completed" and "running" in states
    measured = [e["report"]["variants"].get("B", {}).get("intervals", 0) for e in events]
    assert measured == sorted(measured) and measured[-1] >= 2
    assert events[-1]["simulation"]["running"] is False
    assert events[-1]["problem"] is None
    html = api.get(f"/api/v1/experiments/{created['id']}/report.html")
    assert "attachment" in html.headers["content-disposition"]
    assert "<h1>Experiment streamed" in html.text
    missing = api.get("/api/v1/experiments/nope/events")
    assert (missing.status_code, missing.json()["code"]) == (404, "PHOENIX_EXPERIMENT_NOT_FOUND")


def test_a_burst_is_limited_and_service_resumes_after_retry_after(api: httpx.Client) -> None:
    """groundwork's defaults: a burst of 200, then 20 requests a second per client."""
    statuses: list[int] = []
    limited = None
    while limited is None and len(statuses) < 2000:
        reply = api.get("/api/v1/loadsim/profiles")
        statuses.append(reply.status_code)
        if reply.status_code == 429:
            limited = reply
    assert limited is not None, "2000 requests in a row were never limited"
    assert statuses[:200] == [200] * 200, "the burst of 200 was not honoured"
    assert limited.json()["code"] == "GROUNDWORK_RATE_LIMITED"
    wait = int(limited.headers["Retry-After"])
    assert wait >= 1
    time.sleep(wait)
    assert api.get("/api/v1/loadsim/profiles").status_code == 200
