"""The comparison as one static HTML page: figures side by side and inline SVG charts."""

from __future__ import annotations

from html import escape

from phoenix.experiments.results import ExperimentReport, IntervalFigures, VariantName

__all__ = ["html_report"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:900px;color:#1b1f24}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;
text-align:right}th:first-child,td:first-child{text-align:left}.pass{color:#1a7f37}.fail{color:#cf222e}
svg{background:#fafbfc;border:1px solid #ddd}
"""
_COLOURS: dict[VariantName, str] = {"A": "#8c959f", "B": "#0969da"}
_ROWS = [
    ("input_series", "input series"),
    ("output_series", "output series"),
    ("reduction_percent", "reduction %"),
    ("critical_retention_percent", "critical retained %"),
    ("datapoints_per_minute", "datapoints / minute"),
    ("monthly_cost_usd", "monthly cost (USD)"),
    ("engine_cpu_ms", "engine CPU per scrape (ms)"),
]


def _chart(intervals: list[IntervalFigures], field: str, title: str) -> str:
    width, height, pad = 820, 220, 30
    values = [float(getattr(r, field)) for r in intervals] or [0.0]
    top = max(values) or 1.0
    seqs = [r.seq for r in intervals] or [1]
    span = max(1, max(seqs) - 1)
    lines = []
    for variant, colour in _COLOURS.items():
        points = [
            (
                pad + (r.seq - 1) / span * (width - 2 * pad),
                height - pad - float(getattr(r, field)) / top * (height - 2 * pad),
            )
            for r in intervals
            if r.variant == variant
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            lines.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            )
    return (
        f"<h3>{escape(title)}</h3><svg width='{width}' height='{height}' role='img'"
        f" aria-label='{escape(title)}'>{''.join(lines)}"
        f"<text x='{pad}' y='{pad - 8}' font-size='12'>max {top:.1f}</text></svg>"
    )


def html_report(report: ExperimentReport) -> str:
    exp = report.experiment
    rows = []
    for key, label in _ROWS:
        cells = "".join(
            f"<td>{getattr(report.variants[v], key) if v in report.variants else '-'}</td>"
            for v in _COLOURS
        )
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    verdict = exp.verdict or exp.state
    css = "pass" if verdict == "pass" else "fail" if verdict == "fail" else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>phoenix experiment {escape(exp.name)}</title>
<style>{_STYLE}</style></head><body>
<h1>Experiment {escape(exp.name)} <small>({escape(exp.id)})</small></h1>
<p>A = {escape(exp.baseline)}, B = {escape(exp.candidate)}; state {escape(exp.state)};
verdict <strong class="{css}">{escape(verdict)}</strong>. {escape(exp.message)}</p>
<table><tr><th></th><th>A (baseline)</th><th>B (candidate)</th></tr>{"".join(rows)}</table>
{_chart(report.intervals, "output_series", "Output series per interval")}
{_chart(report.intervals, "monthly_cost", "Estimated monthly cost (USD)")}
<p>Grey: A, blue: B. Both variants processed the same scrapes.</p>
</body></html>
"""
