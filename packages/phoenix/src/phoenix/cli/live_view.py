"""How `pipeline status` shows the live figures: one line per fact, the problem in red."""

from __future__ import annotations

from rich.text import Text

from phoenix.pipelines.results import LiveFigures

__all__ = ["live_view"]


def _or_dash(value: object, unit: str = "") -> str:
    return (
        "-" if value is None else f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"
    )


def live_view(live: LiveFigures) -> Text:
    if live.problem is not None and live.input_series is None:
        return Text.assemble(
            ("Live: ", "bold"),
            (f"{live.problem.code}: ", "red"),
            live.problem.message,
            "\n  " + "\n  ".join(live.problem.suggestions),
            "\n",
        )
    health = ("healthy", "green") if live.healthy else ("unhealthy", "red")
    lines = Text.assemble(
        ("Live: ", "bold"),
        f"{live.collector} at {live.url} is ",
        health,
        f", running {live.pipeline or '-'} (scrape {live.scrapes},"
        f" {_or_dash(live.last_scrape_age_seconds, ' s')} ago)\n",
        f"  series in {_or_dash(live.input_series)} -> out {_or_dash(live.output_series)}"
        f" ({_or_dash(live.reduction_percent, '%')} fewer);"
        f" datapoints/s in {_or_dash(live.input_datapoints_per_second)}"
        f" -> out {_or_dash(live.output_datapoints_per_second)}\n",
        f"  critical processes kept {_or_dash(live.critical_retained)}"
        f" of {_or_dash(live.critical_in_input)}"
        f" ({_or_dash(live.critical_retention_percent, '%')});"
        f" collector RSS {_or_dash(live.collector_rss_mb, ' MB')}\n",
        f"  est. monthly cost ${_or_dash(live.monthly_cost_usd)},"
        f" saving ${_or_dash(live.monthly_saving_usd)}\n",
    )
    if live.problem is not None:
        lines.append(f"  {live.problem.code}: {live.problem.message}\n", style="red")
    return lines
