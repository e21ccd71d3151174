"""This host's figures now: read from the running agent's /metrics (its token, its address
from the file it writes while it runs), so `pipeline status` and the console show what the
collector measures at this moment, not only the deployment history.

urllib, not httpx, and only once an agent is found: `pipeline status` is a read command and must
start at once.
"""

from __future__ import annotations

import time
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from phoenix.experiments.cost import CostModel
from phoenix.pipelines.results import LiveFigures, StatusProblem

__all__ = ["AGENT", "live_figures", "problem_of"]

AGENT = "phoenix-agent"
STALE_INTERVALS = 3
"""An agent whose last scrape is older than this many intervals (plus 5 s) is stuck."""


def problem_of(error: ToolError) -> StatusProblem:
    return StatusProblem(code=error.code, message=error.message, suggestions=error.suggestions)


def _agent_down(home: Path, why: str) -> ToolError:
    return ToolError(
        "PHOENIX_AGENT_DOWN",
        f"phoenix's agent is not collecting on this host: {why}.",
        suggestions=[
            "Start it: phoenix agent (it serves /metrics for Prometheus), or phoenix server,"
            " which runs one beside the console",
            f"Its log: {home / 'logs' / 'phoenix.log'}",
        ],
        exit_code=ExitCode.UNAVAILABLE,
    )


def _down(home: Path, why: str, url: str | None = None) -> LiveFigures:
    return LiveFigures(
        collector="phoenix agent",
        url=url,
        healthy=False,
        pipeline=None,
        interval_seconds=None,
        scrapes=None,
        last_scrape_age_seconds=None,
        input_series=None,
        output_series=None,
        reduction_percent=None,
        input_datapoints_per_second=None,
        output_datapoints_per_second=None,
        critical_in_input=None,
        critical_retained=None,
        critical_retention_percent=None,
        collector_rss_mb=None,
        monthly_cost_usd=None,
        monthly_saving_usd=None,
        problem=problem_of(_agent_down(home, why)),
    )


def _read_metrics(url: str, token: str) -> tuple[dict[str, float], str | None]:
    """The agent's own phoenix_* samples (the process_* series are not needed here) and the
    pipeline it runs."""
    import urllib.request

    # The URL is the agent's own, from its info file: always http on this machine.
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310
        text = reply.read().decode("utf-8", errors="replace")
    found: dict[str, float] = {}
    pipeline = None
    for line in text.splitlines():
        if line.startswith('phoenix_pipeline_info{pipeline="'):
            pipeline = line.split('"', 2)[1]
        elif line.startswith("phoenix_") and "{" not in line:
            name, _, value = line.partition(" ")
            try:
                found[name] = float(value)
            except ValueError:
                continue
    return found, pipeline


def live_figures(home: Path, now: float | None = None) -> LiveFigures:
    """``now`` (Unix time) is injected by tests that check the staleness rule."""
    from groundwork.service.config import ServiceConfig
    from groundwork.service.discovery import read_service_info
    from phoenix import __version__

    config = ServiceConfig(tool="phoenix", name=AGENT, version=__version__, state_dir=home)
    info = read_service_info(config)
    if info is None:
        return _down(home, "it is not running")
    url = f"{info.url}/metrics"
    import urllib.error  # http.client and friends: 40 ms, for a running agent only

    try:
        token = config.token_file.read_text(encoding="utf-8").strip()
        metrics, pipeline = _read_metrics(url, token)
    except (OSError, urllib.error.URLError) as exc:
        return _down(home, f"{url} did not answer ({exc})", url)
    interval = metrics.get("phoenix_agent_interval_seconds") or 0.0
    scraped = metrics.get("phoenix_agent_last_scrape_timestamp_seconds")
    if not interval or not scraped:
        return _down(home, "it has not finished its first scrape", url)
    age = max(0.0, (now if now is not None else time.time()) - scraped)
    inputs = int(metrics.get("phoenix_pipeline_input_series", 0))
    outputs = int(metrics.get("phoenix_pipeline_output_series", 0))
    critical = int(metrics.get("phoenix_pipeline_critical_input", 0))
    retained = int(metrics.get("phoenix_pipeline_critical_retained", 0))
    cost = CostModel.load(home)
    cost_in = cost.monthly(inputs, inputs * 60 / interval)
    cost_out = cost.monthly(outputs, outputs * 60 / interval)
    stale = age > STALE_INTERVALS * interval + 5
    return LiveFigures(
        collector="phoenix agent",
        url=url,
        healthy=not stale,
        pipeline=pipeline,
        interval_seconds=interval,
        scrapes=int(metrics.get("phoenix_agent_scrapes_total", 0)),
        last_scrape_age_seconds=round(age, 1),
        input_series=inputs,
        output_series=outputs,
        reduction_percent=round(100.0 * (1 - outputs / inputs), 2) if inputs else 0.0,
        input_datapoints_per_second=round(inputs / interval, 2),
        output_datapoints_per_second=round(outputs / interval, 2),
        critical_in_input=critical,
        critical_retained=retained,
        critical_retention_percent=round(100.0 * retained / critical, 2) if critical else 100.0,
        collector_rss_mb=round(metrics.get("phoenix_agent_resident_memory_bytes", 0) / 2**20, 1),
        monthly_cost_usd=round(cost_out, 2),
        monthly_saving_usd=round(cost_in - cost_out, 2),
        problem=problem_of(_agent_down(home, f"its last scrape was {age:.0f} s ago"))
        if stale
        else None,
    )
