"""The PRD's acceptance tests for pipelines, on this machine's real processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from phoenix.collector.model import batch_from_rows, new_row
from phoenix.collector.scrape import Scraper
from phoenix.pipelines import catalog
from phoenix.pipelines.engine import Engine
from phoenix.pipelines.loader import PipelineInvalid, load_text

CRITICAL = ["nginx", "postgres", "java"]


def scrape() -> Any:
    scraper = Scraper()
    scraper.scrape()
    time.sleep(0.2)
    return scraper.scrape()


def test_the_priority_filter_keeps_every_critical_process(processes: Callable[..., Any]) -> None:
    started = processes([*CRITICAL, "nginx", "postgres"])
    pids = {p.pid for p in started}
    batch = scrape()
    assert pids <= set(batch.pid)
    result = Engine(catalog.get("process-priority-filter-v1")).run(batch)
    assert pids <= set(result.output.pid)
    assert result.critical_retention_percent == 100.0
    assert result.output_series < result.input_series


def test_the_engine_puts_back_critical_processes_a_filter_drops(
    processes: Callable[..., Any],
) -> None:
    started = processes(["postgres"])
    harsh = load_text(
        "name: harsh\ndescription: drops all\nexpected_reduction: {min: 0, max: 100}\n"
        "critical_processes: {names: [postgres]}\nprocessors:\n  - type: topk\n    k: 1\n",
        "harsh",
    )
    result = Engine(harsh).run(scrape())
    assert started[0].pid in result.output.pid


def test_topk_on_a_high_cardinality_load_cuts_series_by_half(processes: Callable[..., Any]) -> None:
    processes([f"svc-prod-eu-{i}" for i in range(120)])
    result = Engine(catalog.get("process-topk-v1")).run(scrape())
    assert result.reduction_percent >= 50


def test_rollup_keeps_totals_true() -> None:
    rows = [
        new_row(row_id=i, pid=100 + i, name=f"worker-{i}", rss=(i + 1) * 1024, cpu_user=float(i))
        for i in range(300)
    ]
    batch = batch_from_rows(rows, timestamp=time.time(), host_cpu_percent=20)
    result = Engine(catalog.get("process-topk-v1")).run(batch)
    assert sum(result.output.rss) == sum(batch.rss)
    assert sum(result.output.cpu_user) == pytest.approx(sum(batch.cpu_user))
    assert len(result.output) < len(batch)


def test_the_adaptive_filter_keeps_less_as_load_rises() -> None:
    rows = [
        new_row(
            row_id=i,
            pid=100 + i,
            name=f"svc-{i}",
            cpu_percent=i / 8,
            rss=int(i * 2.5 * 2**20),
            create_time=time.time() - 3600,
        )
        for i in range(80)
    ]
    pipeline = catalog.get("process-adaptive-filter-v1")
    outputs = []
    for load in (10, 65, 95):
        batch = batch_from_rows(rows, timestamp=time.time(), host_cpu_percent=load)
        outputs.append(Engine(pipeline).run(batch).output_series)
    assert outputs[0] >= outputs[1] >= outputs[2]
    assert outputs[0] > outputs[2]


def test_an_invalid_pipeline_is_refused_with_its_line() -> None:
    text = (
        "name: bad\ndescription: x\nexpected_reduction: {min: 0, max: 10}\n"
        "critical_processes: {names: [nginx]}\nprocessors:\n  - type: teleport\n"
    )
    with pytest.raises(PipelineInvalid) as invalid:
        load_text(text, "bad.yaml")
    assert invalid.value.problems[0].line == 6
    assert "teleport" in invalid.value.message
    assert invalid.value.exit_code == 2


HEADER = (
    "name: risky\ndescription: x\nexpected_reduction: {min: 0, max: 10}\n"
    "critical_processes: {names: [nginx], patterns: ['postgres: .*']}\nprocessors:\n"
)


@pytest.mark.parametrize(
    ("condition", "action", "dropped"),
    [
        ("{attribute: process.executable.name, matches: 'ngin.*'}", "drop", "nginx"),
        ("{attribute: process.executable.name, matches: 'post.*'}", "drop", "postgres: "),
        ("{attribute: process.executable.name, in: [sshd]}", "keep", "nginx"),
    ],
)
def test_a_filter_that_would_drop_a_critical_process_by_regex_is_refused(
    condition: str, action: str, dropped: str
) -> None:
    text = HEADER + f"  - type: filter\n    action: {action}\n    conditions: [{condition}]\n"
    with pytest.raises(PipelineInvalid) as invalid:
        load_text(text, "risky.yaml")
    assert f"this filter drops {dropped!r}, which is a critical process" in invalid.value.message
    assert invalid.value.problems[0].line == 6


def test_a_filter_that_spares_critical_processes_is_accepted() -> None:
    text = HEADER + (
        "  - type: filter\n    action: drop\n"
        "    conditions: [{attribute: process.executable.name, matches: 'kworker/.*'}]\n"
    )
    assert load_text(text, "fine.yaml").processors


def test_a_hard_coded_secret_is_refused() -> None:
    text = (
        "name: leaky\ndescription: x\nexpected_reduction: {min: 0, max: 10}\n"
        "critical_processes: {names: [nginx]}\nexport:\n  otlphttp:\n"
        "    endpoint: https://otlp.example\n    headers: {api-key: sk_live_abcdef1234567890}\n"
    )
    with pytest.raises(PipelineInvalid) as invalid:
        load_text(text, "leaky.yaml")
    assert any("secret" in str(p) for p in invalid.value.problems)


@pytest.mark.parametrize("name", catalog.names())
def test_every_catalog_pipeline_documents_itself(name: str) -> None:
    pipeline = catalog.get(name)
    assert pipeline.description
    assert pipeline.expected_reduction.max >= pipeline.expected_reduction.min
    assert pipeline.critical_processes.names or name == "process-baseline-v1"


def test_the_catalog_listing_agrees_with_the_full_pipelines() -> None:
    """`pipeline list` reads only the fields it shows; they must be the validated ones."""
    for summary in catalog.summaries():
        full = catalog.get(summary.name)
        assert summary.description == full.description
        assert summary.expected_reduction == full.expected_reduction
        assert summary.critical_processes == full.critical_processes
        assert summary.processors == [p.type for p in full.processors]
    assert [s.name for s in catalog.summaries()] == catalog.names()
