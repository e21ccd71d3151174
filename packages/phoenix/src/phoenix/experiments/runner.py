"""Runs one experiment: every interval, one scrape of this host goes through both pipelines.

Both variants see the same batch, so the comparison is exact. Each interval's figures go to
SQLite as they are measured; the runner is its own process, so the CLI can return at once.
"""

from __future__ import annotations

import re
import signal
import sys
import time
from datetime import UTC, datetime

from phoenix.collector.scrape import Scraper
from phoenix.deployments import load_pipeline
from phoenix.experiments.analysis import verdict
from phoenix.experiments.cost import CostModel
from phoenix.home import home
from phoenix.pipelines.engine import Engine
from phoenix.pipelines.loader import load_text
from phoenix.store import open_store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run(experiment_id: str) -> None:
    conn = open_store(home())
    row = conn.execute("SELECT * FROM experiments WHERE id = ?", (experiment_id,)).fetchone()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)

    engines = {
        "A": Engine(load_text(load_pipeline(row["baseline"])[1], row["baseline"])),
        "B": Engine(load_text(load_pipeline(row["candidate"])[1], row["candidate"])),
    }
    critical = re.compile(row["critical_regex"])
    cost = CostModel.load(home())
    interval = float(row["interval_seconds"])
    ends = time.monotonic() + float(row["duration_seconds"])
    conn.execute(
        "UPDATE experiments SET state = 'running', started_at = ? WHERE id = ?",
        (_now(), experiment_id),
    )
    scraper = Scraper()
    scraper.scrape()
    seq = 0
    next_at = time.monotonic() + interval
    while not stopping and time.monotonic() < ends:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval
        batch = scraper.scrape()
        wanted = {i for i, name in enumerate(batch.name) if critical.search(name)}
        wanted_ids = {batch.row_id[i] for i in wanted}
        seq += 1
        for variant, engine in engines.items():
            cpu = time.process_time()
            result = engine.run(batch.take(range(len(batch))))
            cpu_ms = (time.process_time() - cpu) * 1000
            retained = len(wanted_ids & set(result.output.row_id))
            per_minute = result.output_series * 60 / interval
            conn.execute(
                "INSERT INTO intervals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    experiment_id,
                    seq,
                    variant,
                    _now(),
                    result.input_series,
                    result.output_series,
                    result.reduction_percent,
                    len(wanted),
                    retained,
                    per_minute,
                    cost.monthly(result.output_series, per_minute),
                    cpu_ms,
                ),
            )
    if stopping:
        conn.execute(
            "UPDATE experiments SET state = 'cancelled', finished_at = ? WHERE id = ?",
            (_now(), experiment_id),
        )
        return
    conn.execute("UPDATE experiments SET state = 'analyzing' WHERE id = ?", (experiment_id,))

    passed, message = verdict(conn, experiment_id)
    conn.execute(
        "UPDATE experiments SET state = 'completed', verdict = ?, message = ?, finished_at = ?"
        " WHERE id = ?",
        ("pass" if passed else "fail", message, _now(), experiment_id),
    )


def main() -> None:
    experiment_id = sys.argv[1]
    try:
        run(experiment_id)
    except Exception as exc:  # a failed run is recorded, never left "running"
        conn = open_store(home())
        conn.execute(
            "UPDATE experiments SET state = 'failed', message = ?, finished_at = ? WHERE id = ?",
            (f"{type(exc).__name__}: {exc}", _now(), experiment_id),
        )
        raise


if __name__ == "__main__":
    main()
