"""The PRD's acceptance tests for pipelines on this host: real processes (the load simulator's
and processes named like critical services), phoenix's agent, and a real Prometheus counting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec
from phoenix.pipelines import catalog

pytestmark = pytest.mark.acceptance

CRITICAL = ["nginx", "java", "postgres", "redis-server", "mysqld", "haproxy", "envoy", "kafka"]


@pytest.fixture(scope="module")
def high_cardinality(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadSim]:
    sim = LoadSim(tmp_path_factory.mktemp("loadsim"))
    sim.start(load_spec(ProfileName.HIGH_CARDINALITY))
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def scraped(
    start_agent: Callable[..., Any],
    start_prometheus: Callable[[str], Any],
    agent_job: Callable[..., str],
) -> Callable[[Any], Any]:
    """The agent over a home, scraped every second by its own Prometheus."""
    return lambda cli: _scraped_by_prometheus(cli, start_agent, start_prometheus, agent_job)


def _scraped_by_prometheus(
    cli: Any,
    start_agent: Callable[..., Any],
    start_prometheus: Callable[[str], Any],
    agent_job: Callable[..., str],
) -> Any:
    agent = start_agent(cli, 2.0)
    prometheus = start_prometheus(agent_job(agent, cli.home))
    prometheus.until("two scrapes", lambda: prometheus.value("phoenix_agent_scrapes_total") >= 2)
    return prometheus


def test_AT_P02_priority_filter_keeps_100_percent_of_critical_processes(
    tmp_path: Path,
    processes: Callable[..., Any],
    phoenix_cli: Callable[..., Any],
    scraped: Callable[[Any], Any],
    high_cardinality: LoadSim,
) -> None:
    critical = {p.pid: name for p, name in zip(processes(CRITICAL), CRITICAL, strict=True)}
    cli = phoenix_cli(tmp_path)
    cli.json("pipeline", "deploy", "process-priority-filter-v1")
    prometheus = scraped(cli)
    prometheus.until(
        "a scrape of the priority filter",
        lambda: (
            prometheus.value("phoenix_pipeline_output_series")
            < prometheus.value("phoenix_pipeline_input_series")
        ),
    )
    kept = {
        int(r["metric"]["process_pid"]): r["metric"]["process_executable_name"]
        for r in prometheus.query("process_threads")
        if r["metric"].get("process_pid")
    }
    assert critical.items() <= kept.items(), "every critical process is exported"
    simulated = {p.pid for p in high_cardinality.children() if p.name() in ("nginx", "postgres")}
    assert simulated and simulated <= set(kept)
    assert prometheus.value("phoenix_pipeline_critical_input") >= len(critical) + len(simulated)
    assert (
        prometheus.value("phoenix_pipeline_critical_retained - phoenix_pipeline_critical_input")
        == 0
    )
    live = cli.json("pipeline", "status")["live"]
    assert live["critical_retention_percent"] == 100.0


def test_AT_P03_topk_on_the_high_cardinality_load_gives_50_percent_fewer_series(
    tmp_path: Path,
    phoenix_cli: Callable[..., Any],
    scraped: Callable[[Any], Any],
    high_cardinality: LoadSim,
) -> None:
    assert len(high_cardinality.children()) >= 388
    cli = phoenix_cli(tmp_path)
    cli.json("pipeline", "deploy", "process-topk-v1")
    prometheus = scraped(cli)
    # Both counts at the same scrape: the series Prometheus stored, and what came in.
    stored = prometheus.value('count({__name__=~"process_.+"})')
    inputs = prometheus.value("phoenix_pipeline_input_series")
    assert inputs >= 388 * 9
    assert stored == prometheus.value("phoenix_pipeline_output_series")
    assert stored <= 0.5 * inputs, f"{stored} of {inputs} series"


def test_AT_P07_an_invalid_pipeline_is_refused_with_a_clear_error_and_non_zero_exit(
    tmp_path: Path, otelcol: Path, phoenix_cli: Callable[..., Any]
) -> None:
    cli = phoenix_cli(tmp_path, {"PHOENIX_OTELCOL": str(otelcol)})
    unknown = tmp_path / "unknown-processor.yaml"
    unknown.write_text(catalog.source("process-topk-v1").replace("type: topk", "type: teleport"))
    finding = cli.json("pipeline", "validate", str(unknown), exit_code=2)
    assert finding["valid"] is False
    [problem] = finding["problems"]
    assert problem["line"] == unknown.read_text().splitlines().index("  - type: teleport") + 1
    assert "unknown processor 'teleport'" in problem["message"]

    refused = cli.json("pipeline", "deploy", str(unknown), exit_code=2)
    assert refused["code"] == "PHOENIX_PIPELINE_INVALID"
    assert "teleport" in refused["detail"] and refused["suggestions"]

    drops_critical = tmp_path / "drops-nginx.yaml"
    drops_critical.write_text(
        catalog.source("process-baseline-v1").replace(
            "processors: []",
            "processors:\n  - type: filter\n    action: drop\n    conditions:\n"
            "      - {attribute: process.executable.name, equals: nginx}\n",
        )
    )
    unsafe = cli.json("pipeline", "validate", str(drops_critical), exit_code=2)
    assert any("nginx" in p["message"] for p in unsafe["problems"])

    python_regex = tmp_path / "lookbehind.yaml"
    python_regex.write_text(
        catalog.source("process-topk-v1").replace(
            "names: [sshd, systemd]", "names: [sshd, systemd]\n      patterns: ['(?<=x)y']"
        )
    )
    by_collector = cli.json("pipeline", "validate", str(python_regex), "--otelcol", exit_code=2)
    assert by_collector["collector"]["valid"] is False
    # Nothing was deployed by any of it.
    assert cli.json("pipeline", "status")["deployments"] == []
    plain = cli.run("pipeline", "deploy", str(unknown))
    assert plain.returncode == 2 and "PHOENIX_PIPELINE_INVALID" in plain.stderr
    assert "Traceback" not in plain.stderr
