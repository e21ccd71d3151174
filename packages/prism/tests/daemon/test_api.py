"""prismd's HTTP API served in-process over real HTTP: what it documents and how it limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from groundwork.errors import ToolError
from groundwork.service import running_service
from prism.daemon.config import daemon_config, progress_read_timeout
from prism.daemon.main import build

SUCCESS = ("200", "201", "202", "204")


@pytest.fixture
def prismd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """prismd over an empty state folder, with its limits as shipped."""
    monkeypatch.setenv("PRISM_DAEMON_PORT", "0")
    for name in ("PRISM_DAEMON_RATE_PER_SECOND", "PRISM_DAEMON_RATE_BURST"):
        monkeypatch.delenv(name, raising=False)
    app, engine = build(tmp_path)
    token = app.state.token
    try:
        with (
            running_service(app, app.state.config) as info,
            # The first /openapi.json builds the schema of every route: seconds on a busy machine.
            httpx.Client(
                base_url=info.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as http,
        ):
            yield http
    finally:
        engine.close()


def test_openapi_types_every_reply(prismd: httpx.Client) -> None:
    document = prismd.get("/openapi.json").json()
    untyped = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            replies = {code: r for code, r in operation["responses"].items() if code in SUCCESS}
            if not replies:
                untyped.append((method, path, "no success reply"))
            for code, reply in replies.items():
                schemas = [c.get("schema") for c in reply.get("content", {}).values()]
                if code != "204" and (not schemas or not all(schemas)):
                    untyped.append((method, path, code))
    assert untyped == []
    workstations = document["paths"]["/api/v1/workstations"]
    assert workstations["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WorkstationList"
    }
    progress = document["paths"]["/api/v1/workstations/{name}/progress"]["get"]
    assert "text/event-stream" in progress["responses"]["200"]["content"]


def test_a_burst_is_refused_with_retry_after_and_served_again_after_it(
    prismd: httpx.Client,
) -> None:
    served = 0
    reply = prismd.get("/healthz")
    while reply.status_code == 200 and served < 2000:
        served += 1
        reply = prismd.get("/healthz")
    assert reply.status_code == 429
    assert served >= 200  # the burst a person's scripts get
    assert reply.json()["code"] == "GROUNDWORK_RATE_LIMITED"
    wait = int(reply.headers["Retry-After"])
    time.sleep(wait)  # what the header asks a client to do
    assert prismd.get("/api/v1/status").json()["daemon"]["running"] is True


def test_limits_and_the_ping_interval_are_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRISM_DAEMON_RATE_PER_SECOND", "5000")
    monkeypatch.setenv("PRISM_DAEMON_RATE_BURST", "10000")
    monkeypatch.setenv("PRISM_PROGRESS_PING_SECONDS", "2")
    config = daemon_config(tmp_path)
    assert (config.rate_per_second, config.rate_burst) == (5000, 10000)
    assert progress_read_timeout() == 6
    monkeypatch.setenv("PRISM_PROGRESS_PING_SECONDS", "soon")
    with pytest.raises(ToolError) as bad:
        progress_read_timeout()
    assert bad.value.code == "PRISM_SETTING_INVALID"
