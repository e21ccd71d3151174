"""The agent's work: scrape this host, run the deployed pipeline, keep the result to serve.

Each scrape is rendered once into the exposition /metrics serves, so a Prometheus scrape costs
a memory copy, and every number on the page describes the same scrape.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from prometheus_client.core import Metric

from phoenix.agent.exposition import ScrapeSnapshot, exposition, families
from phoenix.agent.otlp import OtlpExporter
from phoenix.agent.results import MetricFamily, MetricSample, Scrape
from phoenix.collector.scrape import Scraper
from phoenix.deployments import BASELINE, current, with_params
from phoenix.pipelines import catalog
from phoenix.pipelines.engine import Engine
from phoenix.pipelines.loader import load_text
from phoenix.store import open_store

__all__ = ["Agent", "scrape_of"]


@dataclass
class Agent:
    home: Path
    interval: float
    exporter: OtlpExporter | None = None
    pipeline: str = BASELINE
    scrapes: int = 0
    metrics: list[Metric] = field(default_factory=list)
    text: bytes = b"# no scrape yet\n"
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

    def run_once(self, scraper: Scraper, engine: Engine) -> ScrapeSnapshot:
        result = engine.run(scraper.scrape())
        if self.exporter is not None:
            # Before the snapshot, so /metrics (and --once) counts this scrape's export.
            self.exporter.export(result.output)
        me = psutil.Process(os.getpid())
        cpu = me.cpu_times()
        self.scrapes += 1
        snapshot = ScrapeSnapshot(
            pipeline=self.pipeline,
            output=result.output,
            input_series=result.input_series,
            output_series=result.output_series,
            critical_in_input=result.critical_in_input,
            critical_retained=result.critical_retained,
            interval_seconds=self.interval,
            scraped_at=time.time(),
            scrapes=self.scrapes,
            cpu_seconds=cpu.user + cpu.system,
            resident_bytes=me.memory_info().rss,
            otlp_exported_datapoints=self.exporter.exported_datapoints if self.exporter else None,
            otlp_failures=self.exporter.failures if self.exporter else None,
        )
        self.metrics = families(snapshot)
        # /metrics reads only `text`: replaced whole, it is the previous page or this one.
        self.text = exposition(self.metrics)
        return snapshot

    def loop(self) -> None:
        scraper = Scraper()
        conn = open_store(self.home)
        version = _deployed_version(conn)
        engine = self.engine()
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                # A deploy, rollback or promotion is run from the next scrape on; otherwise the
                # engine keeps its state (adaptive K's band and hysteresis).
                if (now := _deployed_version(conn)) != version:
                    version, engine = now, self.engine()
                self.run_once(scraper, engine)
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
        finally:
            # Closed here, by the thread that exports, so no push is cut off mid-request.
            if self.exporter is not None:
                self.exporter.close()

    def stop(self) -> None:
        self._stop.set()


def _deployed_version(conn: sqlite3.Connection) -> int | None:
    """Every deploy, rollback and promotion adds a version."""
    version: int | None = conn.execute("SELECT MAX(version) FROM deployments").fetchone()[0]
    return version


def scrape_of(snapshot: ScrapeSnapshot, found: list[Metric]) -> Scrape:
    """A scrape as JSON: the families /metrics shows, empty labels left out as Prometheus does."""
    return Scrape(
        pipeline=snapshot.pipeline,
        input_series=snapshot.input_series,
        output_series=snapshot.output_series,
        metrics=[
            MetricFamily(
                name=family.name,
                type=family.type,
                help=family.documentation,
                samples=[
                    MetricSample(
                        name=sample.name,
                        labels={k: v for k, v in sample.labels.items() if v},
                        value=sample.value,
                    )
                    for sample in family.samples
                ],
            )
            for family in found
        ],
    )
