"""Runs one experiment: every interval, one scrape of this host goes through both pipelines.

Both variants see the same batch, so the comparison is exact. Each interval's figures go to
SQLite as they are measured; the runner is its own process, so the CLI can return at once.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
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
    if row["baseline_group"]:
        _across_groups(conn, row, experiment_id, cost, interval, ends, lambda: stopping)
    else:
        _on_this_host(
            conn, row, experiment_id, cost, interval, ends, engines, critical, lambda: stopping
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


def _record(
    conn: sqlite3.Connection,
    experiment_id: str,
    seq: int,
    variant: str,
    figures: tuple[int, int, int, int],
    interval: float,
    cost: CostModel,
    cpu_ms: float,
) -> None:
    input_series, output_series, seen, retained = figures
    per_minute = output_series * 60 / interval
    reduction = 100.0 * (1 - output_series / input_series) if input_series else 0.0
    conn.execute(
        "INSERT INTO intervals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            experiment_id,
            seq,
            variant,
            _now(),
            input_series,
            output_series,
            reduction,
            seen,
            retained,
            per_minute,
            cost.monthly(output_series, per_minute),
            cpu_ms,
        ),
    )


def _across_groups(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    experiment_id: str,
    cost: CostModel,
    interval: float,
    ends: float,
    stopping: Callable[[], bool],
) -> None:
    """Deploy each pipeline on its group, then measure both groups from Prometheus."""
    from phoenix.experiments.groups import has_series, measure_group
    from phoenix.fleet.service import Fleet

    fleet = Fleet(conn)
    groups = {"A": row["baseline_group"], "B": row["candidate_group"]}
    collection = {}
    for variant, pipeline in (("A", row["baseline"]), ("B", row["candidate"])):
        deployed = fleet.deploy(groups[variant], pipeline, {})
        failed = [d.host for d in deployed if d.outcome.value == "failed"]
        if failed:
            raise RuntimeError(
                f"{pipeline} failed on {', '.join(failed)}: see phoenix fleet status"
            )
        collection[variant] = load_text(load_pipeline(pipeline)[1], pipeline)
    url = row["prometheus_url"]
    while not all(has_series(url, g) for g in groups.values()):
        if stopping() or time.monotonic() > ends:
            raise RuntimeError(f"Prometheus at {url} never showed the groups' series")
        time.sleep(1)
    seq = 0
    next_at = time.monotonic() + interval
    while not stopping() and time.monotonic() < ends:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval
        seq += 1
        for variant, group in groups.items():
            found = measure_group(
                conn,
                url,
                group,
                row["critical_regex"],
                collection[variant].collection_interval_seconds,
            )
            figures = (
                found.input_series,
                found.output_series,
                found.critical_seen,
                found.critical_retained,
            )
            _record(conn, experiment_id, seq, variant, figures, interval, cost, 0.0)


def _on_this_host(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    experiment_id: str,
    cost: CostModel,
    interval: float,
    ends: float,
    engines: dict[str, Engine],
    critical: re.Pattern[str],
    stopping: Callable[[], bool],
) -> None:
    scraper = Scraper()
    scraper.scrape()
    seq = 0
    next_at = time.monotonic() + interval
    while not stopping() and time.monotonic() < ends:
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
            figures = (result.input_series, result.output_series, len(wanted), retained)
            _record(conn, experiment_id, seq, variant, figures, interval, cost, cpu_ms)


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
