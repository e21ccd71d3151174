"""What the hardened service base costs per request, against a bare FastAPI app.

Both apps are served by uvicorn on loopback and called with one keep-alive httpx client, so the
difference is the middleware stack: request id, origin, rate limit, token, body cap, queue.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from fastapi import FastAPI

from groundwork.bench import print_figure, time_call
from groundwork.logs import configure_logging
from groundwork.service import ServiceConfig, create_app, running_service

REQUESTS = 500


def hardened(state: Path) -> tuple[FastAPI, ServiceConfig]:
    config = ServiceConfig(
        tool="bench", version="0", state_dir=state, rate_per_second=1e6, rate_burst=10**6
    )
    app = create_app(config)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app, config


def bare(state: Path) -> tuple[FastAPI, ServiceConfig]:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app, ServiceConfig(tool="bare", version="0", state_dir=state)


def per_request_ms(app: FastAPI, config: ServiceConfig, token: str | None) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with (
        running_service(app, config) as info,
        httpx.Client(base_url=info.url, headers=headers) as c,
    ):

        def burst() -> None:
            for _ in range(REQUESTS):
                c.get("/ping").raise_for_status()

        return time_call(burst, runs=5).median_ms / REQUESTS


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        configure_logging(Path(tmp) / "bench.log")
        app, config = hardened(Path(tmp) / "hardened")
        token = config.token_file.read_text().strip()
        with_stack = per_request_ms(app, config, token)
        app, config = bare(Path(tmp) / "bare")
        without = per_request_ms(app, config, None)
    print_figure("bare FastAPI, per request", without * 1000, "µs")
    print_figure("groundwork service base, per request", with_stack * 1000, "µs")
    print_figure("middleware overhead", (with_stack - without) * 1000, "µs", target="< 500 µs")
    print_figure("ratio hardened / bare", with_stack / without, "x")


if __name__ == "__main__":
    main()
