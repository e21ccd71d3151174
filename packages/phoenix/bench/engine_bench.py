"""Engine throughput and reduction on a high-cardinality batch of 1,000 processes, and the cost
of rendering a scrape as Prometheus text (prometheus_client) for the agent's /metrics.

Targets: >= 250,000 datapoints/s per pipeline on one core for filter, top-k and rollup;
reduction on the high-cardinality load: top-k >= 80%, adaptive >= 90%, critical retention 100%.
The exposition is rendered once per agent scrape (every 10 s by default), so it must stay a
small share of that interval.
"""

from __future__ import annotations

import random
import time

from groundwork.bench import print_figure, time_call
from phoenix.agent.exposition import ScrapeSnapshot, exposition, families
from phoenix.collector.model import SERIES_PER_ROW, ProcessBatch, batch_from_rows, new_row
from phoenix.collector.scrape import Scraper
from phoenix.pipelines import catalog
from phoenix.pipelines.engine import Engine

PROCESSES = 1000
CRITICAL = ["nginx", "postgres", "java", "redis-server", "kafka"]


def synthetic(load: float) -> ProcessBatch:
    rng = random.Random(7)
    rows = []
    for i in range(PROCESSES):
        name = CRITICAL[i % len(CRITICAL)] if i % 100 == 0 else f"svc-prod-eu-{i}"
        rows.append(
            new_row(
                row_id=i,
                pid=1000 + i,
                name=name,
                cmdline=f"/opt/{name} --id {i}",
                create_time=time.time() - rng.uniform(0, 86400),
                cpu_percent=rng.expovariate(1.0),
                cpu_user=rng.uniform(0, 500),
                rss=int(rng.expovariate(1 / 60) * 2**20),
                threads=rng.randint(1, 40),
            )
        )
    return batch_from_rows(rows, timestamp=time.time(), host_cpu_percent=load)


def main() -> None:
    batch = synthetic(load=70.0)
    datapoints = PROCESSES * SERIES_PER_ROW
    for pipeline in catalog.all_pipelines():
        engine = Engine(pipeline)
        timing = time_call(lambda e=engine: e.run(batch.take(range(len(batch)))), runs=20)
        result = engine.run(batch.take(range(len(batch))))
        print_figure(
            f"{pipeline.name}: datapoints/s",
            datapoints / (timing.median_ms / 1000),
            "/s",
            target=">= 250,000",
        )
        print_figure(
            f"  reduction, {PROCESSES} processes",
            result.reduction_percent,
            "%",
        )
        print_figure("  critical retention", result.critical_retention_percent, "%", target="100%")
    baseline = Engine(catalog.get("process-baseline-v1")).run(batch.take(range(len(batch))))
    snapshot = ScrapeSnapshot(
        pipeline="process-baseline-v1",
        output=baseline.output,
        input_series=baseline.input_series,
        output_series=baseline.output_series,
        scrapes=1,
        cpu_seconds=0.0,
        resident_bytes=0,
    )
    render = time_call(lambda: exposition(families(snapshot)), runs=10)
    print_figure(
        f"exposition of {PROCESSES} processes ({baseline.output_series} series)",
        render.median_ms,
        "ms",
        target="<= 1% of the 10 s interval (100 ms)",
    )
    scraper = Scraper()
    scraper.scrape()
    scrape = time_call(scraper.scrape, runs=5)
    print_figure(f"scrape of this host ({len(scraper.scrape())} processes)", scrape.median_ms, "ms")


if __name__ == "__main__":
    main()
