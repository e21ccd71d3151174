"""`phoenix agent`'s HTTP side: /metrics on the groundwork service base (token, loopback, rate
limits). Prometheus scraping every few seconds stays far below the 20 requests/s a client gets.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

from groundwork.service import ServiceConfig, create_app
from phoenix import __version__
from phoenix.agent.exposition import CONTENT_TYPE
from phoenix.agent.runner import Agent

__all__ = ["agent_app", "agent_config"]


def agent_app(agent: Agent, config: ServiceConfig) -> FastAPI:
    app = create_app(config, title="phoenix agent")

    @app.get(
        "/metrics",
        response_class=Response,
        responses={
            200: {
                "description": "The latest scrape in the Prometheus text format.",
                "content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
            }
        },
    )
    async def metrics() -> Response:
        return Response(agent.text, media_type=CONTENT_TYPE)

    return app


def agent_config(home: Path, host: str, port: int) -> ServiceConfig:
    return ServiceConfig(
        tool="phoenix",
        name="phoenix-agent",
        version=__version__,
        state_dir=home,
        host=host,
        port=port,
    )
