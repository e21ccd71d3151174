"""`phoenix agent`: a scrape loop in a thread and /metrics on the groundwork service base."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from groundwork.service import ServiceConfig, create_app
from phoenix import __version__
from phoenix.agent.exposition import exposition
from phoenix.agent.otlp import OtlpExporter
from phoenix.collector.scrape import Scraper
from phoenix.deployments import BASELINE, current, with_params
from phoenix.pipelines import catalog
from phoenix.pipelines.engine import Engine
from phoenix.pipelines.loader import load_text
from phoenix.store import open_store

__all__ = ["Agent", "agent_app"]


@dataclass
class Agent:
    home: Path
    interval: float
    text: str = "# no scrape yet\n"
    scrapes: int = 0
    pipeline: str = BASELINE
    exporter: OtlpExporter | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def engine(self) -> Engine:
        deployment = current(open_store(self.home))
        if deployment is None:
            self.pipeline = BASELINE
            return Engine(catalog.get(BASELINE))
        self.pipeline = deployment.pipeline
        return Engine(
            with_params(load_text(deployment.source, deployment.pipeline), deployment.params)
        )

    def run_once(self, scraper: Scraper, engine: Engine) -> None:
        batch = scraper.scrape()
        result = engine.run(batch)
        me = psutil.Process(os.getpid())
        cpu = me.cpu_times()
        extra = {
            "phoenix_pipeline_input_series": float(result.input_series),
            "phoenix_pipeline_output_series": float(result.output_series),
            "phoenix_agent_scrapes_total": float(self.scrapes + 1),
            "phoenix_agent_cpu_seconds_total": cpu.user + cpu.system,
            "phoenix_agent_resident_memory_bytes": float(me.memory_info().rss),
        }
        if self.exporter is not None:
            # Before the exposition, so /metrics (and --once) counts this scrape's export.
            self.exporter.export(result.output)
            extra |= self.exporter.metrics()
        self.text = exposition(result.output, extra, self.pipeline)
        self.scrapes += 1

    def loop(self) -> None:
        scraper = Scraper()
        engine = self.engine()
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                self.run_once(scraper, engine)
                if self.scrapes % 6 == 0:
                    engine = self.engine()
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
        finally:
            # Closed here, by the thread that exports, so no push is cut off mid-request.
            if self.exporter is not None:
                self.exporter.close()

    def stop(self) -> None:
        self._stop.set()


def agent_app(agent: Agent, config: ServiceConfig) -> FastAPI:
    app = create_app(config, title="phoenix agent")

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(agent.text, media_type="text/plain; version=0.0.4")

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
