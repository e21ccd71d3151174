"""From interval figures to a comparison and a verdict against the success criteria."""

from __future__ import annotations

import sqlite3

from phoenix.experiments.results import VariantFigures, VariantName

__all__ = ["summary", "verdict"]


def summary(conn: sqlite3.Connection, experiment_id: str) -> dict[VariantName, VariantFigures]:
    rows = conn.execute(
        "SELECT variant, COUNT(*) AS intervals, AVG(input_series) AS input_series,"
        " AVG(output_series) AS output_series, AVG(reduction_percent) AS reduction_percent,"
        " SUM(critical_seen) AS critical_seen, SUM(critical_retained) AS critical_retained,"
        " AVG(datapoints_per_minute) AS datapoints_per_minute, AVG(monthly_cost) AS monthly_cost,"
        " AVG(engine_cpu_ms) AS engine_cpu_ms FROM intervals WHERE experiment = ?"
        " GROUP BY variant ORDER BY variant",
        (experiment_id,),
    ).fetchall()
    result: dict[VariantName, VariantFigures] = {}
    for row in rows:
        seen = row["critical_seen"] or 0
        result[row["variant"]] = VariantFigures(
            intervals=row["intervals"],
            input_series=round(row["input_series"], 1),
            output_series=round(row["output_series"], 1),
            reduction_percent=round(row["reduction_percent"], 2),
            critical_seen=seen,
            critical_retention_percent=round(
                100.0 * row["critical_retained"] / seen if seen else 100.0, 2
            ),
            datapoints_per_minute=round(row["datapoints_per_minute"], 1),
            monthly_cost_usd=round(row["monthly_cost"], 2),
            engine_cpu_ms=round(row["engine_cpu_ms"], 3),
        )
    return result


def verdict(conn: sqlite3.Connection, experiment_id: str) -> tuple[bool, str]:
    exp = conn.execute("SELECT * FROM experiments WHERE id = ?", (experiment_id,)).fetchone()
    figures = summary(conn, experiment_id)
    if "A" not in figures or "B" not in figures:
        return False, "no intervals were measured"
    a, b = figures["A"], figures["B"]
    reduction = 100.0 * (1 - b.output_series / a.output_series) if a.output_series else 0
    retention = b.critical_retention_percent
    checks = [
        (
            reduction >= exp["min_reduction"],
            f"series reduction {reduction:.1f}% (needs >= {exp['min_reduction']:g}%)",
        ),
        (
            retention >= exp["min_critical"],
            f"critical retention {retention:.1f}% (needs >= {exp['min_critical']:g}%)",
        ),
    ]
    passed = all(ok for ok, _ in checks)
    return passed, "; ".join(text for _, text in checks)
