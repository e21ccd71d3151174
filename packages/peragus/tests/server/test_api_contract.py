"""The REST API's contract: every reply typed in /openapi.json with the models the CLI prints,
and rate limits that fire for a flood yet let a person's page loads through.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundwork.service import running_service
from peragus.results import NotebookList, NotebookResult
from peragus.server.app import peragus_app
from peragus.server.config import server_config

BURST = 200  # groundwork's default burst per client, which peragus keeps


@pytest.fixture
def http(tmp_path: Path) -> Iterator[httpx.Client]:
    home = tmp_path / "home"
    config = server_config(home, port=0)
    app = peragus_app(home, tmp_path / "notebooks", config)
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        headers = {"authorization": f"Bearer {token}"}
        with httpx.Client(base_url=info.url, headers=headers, timeout=30) as client:
            yield client


def test_openapi_types_every_reply(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    routes = {
        f"{method.upper()} {path}": operation
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    assert {
        "GET /api/notebooks",
        "POST /api/notebooks",
        "POST /api/notebooks/import",
        "DELETE /api/notebooks/{name}",
        "GET /api/notebooks/{name}/export",
        "POST /api/sessions",
        "GET /api/sessions/{session_id}",
        "GET /api/settings",
        "PUT /api/settings/ai",
        "PUT /api/secrets/{name}",
        "DELETE /api/secrets/{name}",
        "POST /api/sessions/{session_id}/ai/generate",
        "POST /api/sessions/{session_id}/ai/edit",
        "GET /metrics",
        "GET /api/status",
        "GET /api/settings/alerts",
        "PUT /api/settings/alerts",
        "GET /api/templates",
        "POST /api/notebooks/{name}/template",
    } <= set(routes)
    untyped = [route for route, operation in routes.items() if not typed(operation)]
    assert untyped == []


def typed(operation: dict[str, Any]) -> bool:
    """A success reply whose every body is a model (a $ref), or a typed non-JSON body; a bare
    `{}` or a free-form object (a route returning a dict) is not typed.
    """
    success = {c: r for c, r in operation["responses"].items() if c in ("200", "201", "204")}
    if not success:
        return False
    for code, reply in success.items():
        content = reply.get("content", {})
        if code == "204":
            continue
        if not content:
            return False
        for media, body in content.items():
            schema = body.get("schema", {})
            if "json" in media and "$ref" not in schema:
                return False
            if "json" not in media and "type" not in schema:
                return False
    return True


def test_notebook_replies_are_the_models_the_cli_prints(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()

    def reply_schema(route: str, method: str, code: str) -> object:
        content = spec["paths"][route][method]["responses"][code]["content"]
        return content["application/json"]["schema"]

    assert reply_schema("/api/notebooks", "get", "200") == {
        "$ref": "#/components/schemas/NotebookList"
    }
    assert reply_schema("/api/notebooks", "post", "201") == {
        "$ref": "#/components/schemas/NotebookResult"
    }
    components = spec["components"]["schemas"]
    assert set(components["NotebookList"]["properties"]) == set(NotebookList.model_fields)
    assert set(components["NotebookResult"]["properties"]) == set(NotebookResult.model_fields)
    export = spec["paths"]["/api/notebooks/{name}/export"]["get"]["responses"]["200"]
    assert export["content"] == {"text/markdown": {"schema": {"type": "string"}}}
    metrics = spec["paths"]["/metrics"]["get"]["responses"]["200"]
    assert metrics["content"] == {
        "text/plain; version=0.0.4; charset=utf-8": {"schema": {"type": "string"}}
    }
    assert reply_schema("/api/status", "get", "200") == {
        "$ref": "#/components/schemas/StatusResult"
    }


def test_a_flood_is_refused_with_retry_after_and_served_again_after_it(
    http: httpx.Client,
) -> None:
    statuses: list[int] = []
    while 429 not in statuses:
        assert len(statuses) < 20 * BURST, "no request was ever refused"
        refused = http.get("/api/notebooks")
        statuses.append(refused.status_code)
    # A burst the size of many page loads passes whole before the limit applies.
    assert statuses[:BURST] == [200] * BURST
    assert refused.json()["code"] == "GROUNDWORK_RATE_LIMITED"
    wait = int(refused.headers["retry-after"])
    assert wait >= 1
    time.sleep(wait)  # what a well-behaved client does with Retry-After
    assert http.get("/api/notebooks").status_code == 200
