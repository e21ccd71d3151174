"""The service base, served by uvicorn on a free port and called over real HTTP."""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.types import Receive, Scope, Send

from groundwork.errors import ExitCode, ToolError
from groundwork.health import HealthRegistry, Status
from groundwork.service import ServiceConfig, create_app, login_path, running_service
from groundwork.service.limits import RateLimitMiddleware


def build(tmp_path: Path, **limits: object) -> tuple[FastAPI, ServiceConfig]:
    config = ServiceConfig(tool="demo", version="1.0", state_dir=tmp_path, **limits)  # type: ignore[arg-type]
    health = HealthRegistry()
    health.register("disk", lambda: (Status.OK, "fine"))
    app = create_app(config, health=health)

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("handler bug")

    @app.get("/missing")
    async def missing() -> None:
        raise ToolError(
            "DEMO_THING_NOT_FOUND",
            "No such thing.",
            suggestions=["List them."],
            exit_code=ExitCode.NOT_FOUND,
        )

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        await asyncio.sleep(0.5)
        return {"done": True}

    return app, config


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[httpx.Client, str]]:
    app, config = build(tmp_path, max_body_bytes=1024)
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        client = httpx.Client(base_url=info.url, headers={"Authorization": f"Bearer {token}"})
        with client:
            yield client, info.url


def test_token_is_created_private_and_required(tmp_path: Path) -> None:
    app, config = build(tmp_path)
    with running_service(app, config) as info:
        assert stat.S_IMODE(config.token_file.stat().st_mode) == 0o600
        anonymous = httpx.get(f"{info.url}/hello")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        assert anonymous.json()["code"] == "GROUNDWORK_AUTH_REQUIRED"
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        wrong = httpx.get(f"{info.url}/hello", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        token = config.token_file.read_text().strip()
        ok = httpx.get(f"{info.url}/hello", headers={"Authorization": f"Bearer {token}"})
        assert ok.json() == {"hello": "world"}
        assert httpx.get(f"{info.url}/healthz").json()["status"] == "ok"


def test_login_ticket_sets_a_cookie_once(tmp_path: Path) -> None:
    app, config = build(tmp_path)
    with running_service(app, config) as info:
        path = login_path(app)
        browser = httpx.Client(base_url=info.url)
        first = browser.get(path)
        assert first.status_code == 303
        assert "httponly" in first.headers["set-cookie"].lower()
        assert browser.get("/hello").status_code == 200
        assert httpx.get(f"{info.url}{path}").status_code == 401


def test_a_token_holder_gets_a_fresh_login_ticket(service: tuple[httpx.Client, str]) -> None:
    client, url = service
    fresh = client.post("/login/ticket").json()["path"]
    assert httpx.get(f"{url}{fresh}").status_code == 303
    assert httpx.post(f"{url}/login/ticket").status_code == 401


def test_foreign_origin_and_host_are_refused(service: tuple[httpx.Client, str]) -> None:
    client, url = service
    foreign = client.get("/hello", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "GROUNDWORK_ORIGIN_REJECTED"
    rebinding = client.get("/hello", headers={"Host": "evil.example"})
    assert rebinding.status_code == 403
    same_origin = client.get("/hello", headers={"Origin": url})
    assert same_origin.status_code == 200


def test_oversized_bodies_are_refused(service: tuple[httpx.Client, str]) -> None:
    client, _ = service
    assert client.post("/echo", content=b"x" * 1000).json() == {"bytes": 1000}
    announced = client.post("/echo", content=b"x" * 5000)
    assert announced.status_code == 413
    assert announced.json()["code"] == "GROUNDWORK_BODY_TOO_LARGE"

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 500

    streamed = client.post("/echo", content=chunks())
    assert streamed.status_code == 413


def test_with_the_defaults_a_flood_gets_429_and_service_resumes_after_retry_after(
    tmp_path: Path,
) -> None:
    app, config = build(tmp_path)
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        with httpx.Client(base_url=info.url, headers={"Authorization": f"Bearer {token}"}) as c:
            # A flood outruns the refill at any speed this machine sends at, so it is sent until
            # the first refusal (bounded) rather than as a fixed count that a slow machine's
            # refill could absorb.
            statuses: list[httpx.Response] = []
            for _ in range(config.rate_burst * 20):
                statuses.append(c.get("/hello"))
                if statuses[-1].status_code == 429:
                    break
            codes = [r.status_code for r in statuses]
            # A page load's or a script's burst passes whole; the flood beyond it does not.
            assert codes[: config.rate_burst] == [200] * config.rate_burst
            limited = [r for r in statuses if r.status_code == 429]
            assert limited
            assert limited[0].json()["code"] == "GROUNDWORK_RATE_LIMITED"
            wait = int(limited[-1].headers["retry-after"])
            assert wait >= 1
            time.sleep(wait)
            assert c.get("/hello").status_code == 200


async def test_rate_limit_buckets_of_past_clients_are_dropped(tmp_path: Path) -> None:
    config = ServiceConfig(tool="demo", version="1.0", state_dir=tmp_path, rate_clients=8)

    async def ok(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limiter = RateLimitMiddleware(ok, config=config)
    for n in range(100):
        transport = httpx.ASGITransport(app=limiter, client=(f"10.0.0.{n}", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/")).status_code == 200
        assert len(limiter.buckets) <= 8
    assert "10.0.0.99" in limiter.buckets


async def test_a_full_queue_gets_503_with_retry_after(tmp_path: Path) -> None:
    app, config = build(tmp_path, max_concurrent=1, max_queued=1)
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=info.url, headers=headers) as client:
            replies = await asyncio.gather(*(client.get("/slow") for _ in range(4)))
        codes = sorted(r.status_code for r in replies)
        assert codes.count(200) >= 2
        busy = [r for r in replies if r.status_code == 503]
        assert busy
        assert busy[0].headers["retry-after"] == "1"


def test_a_crashing_handler_gets_500_and_the_service_keeps_answering(
    service: tuple[httpx.Client, str],
) -> None:
    client, _ = service
    crash = client.get("/boom", headers={"X-Request-ID": "trace-me-42"})
    assert crash.status_code == 500
    body = crash.json()
    assert crash.headers["content-type"] == "application/problem+json"
    assert body["code"] == "GROUNDWORK_INTERNAL_ERROR"
    assert body["request_id"] == "trace-me-42"
    assert "handler bug" not in crash.text
    assert client.get("/hello").status_code == 200


def test_tool_errors_and_bad_input_become_problems(service: tuple[httpx.Client, str]) -> None:
    client, _ = service
    missing = client.get("/missing")
    assert missing.status_code == 404
    assert missing.json()["suggestions"] == ["List them."]
    unknown = client.get("/no/such/route")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert client.get("/hello").headers["x-content-type-options"] == "nosniff"
    assert client.get("/hello").headers["x-request-id"]


def test_readiness_lists_checks(service: tuple[httpx.Client, str]) -> None:
    client, _ = service
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok"
    assert ready["checks"][0]["name"] == "disk"


def test_a_second_instance_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    app, config = build(tmp_path)
    with running_service(app, config):
        again, _ = build(tmp_path)
        with pytest.raises(ToolError) as refused, running_service(again, config):
            pass
    assert refused.value.code == "GROUNDWORK_SERVICE_ALREADY_RUNNING"
    assert "already running" in refused.value.message


def test_openapi_describes_errors_as_problems_and_needs_the_token(
    service: tuple[httpx.Client, str],
) -> None:
    client, _ = service
    spec = client.get("/openapi.json").json()
    default = spec["paths"]["/hello"]["get"]["responses"]["default"]
    assert default["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "suggestions" in spec["components"]["schemas"]["Problem"]["properties"]
    assert "Readiness" in spec["components"]["schemas"]
    assert httpx.get(f"{client.base_url}/openapi.json").status_code == 401
