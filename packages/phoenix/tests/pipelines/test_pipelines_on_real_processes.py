"""The PRD's acceptance tests for pipelines, on this machine's real processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from phoenix.collector.model import batch_from_rows, new_row
from phoenix.collector.scrape import Scraper
from phoenix.pipelines import catalog
from phoenix.pipelines.engine import Engine
from phoenix.pipelines.loader import PipelineInvalid, load_text
from phoenix.pipelines.render import render_k8s, render_otelcol

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
def test_collector_configs_have_the_documented_shape(name: str) -> None:
    config = yaml.safe_load(yaml.safe_dump(render_otelcol(catalog.get(name))))
    assert "process" in config["receivers"]["hostmetrics"]["scrapers"]
    pipeline = config["service"]["pipelines"]["metrics"]
    assert pipeline["receivers"] == ["hostmetrics"]
    assert set(pipeline["processors"]) == set(config["processors"])
    assert pipeline["processors"][-1] == "batch"
    assert "prometheus" in config["exporters"]
    for key, processor in config["processors"].items():
        if key.startswith("filter/"):
            assert processor["error_mode"] == "ignore"
            conditions = processor["metrics"]["datapoint"]
            assert all("nginx" in c for c in conditions), "critical names are never dropped"
        if key.startswith("transform/") and name == "process-aggregated-v1":
            text = str(processor)
            assert "aggregate_on_attributes" in text or "set(" in text


def test_k8s_manifests_run_with_host_pid() -> None:
    config_map, daemon_set = render_k8s(catalog.get("process-topk-v1"))
    assert config_map["kind"] == "ConfigMap"
    assert yaml.safe_load(config_map["data"]["config.yaml"])["receivers"]
    spec = daemon_set["spec"]["template"]["spec"]
    assert daemon_set["kind"] == "DaemonSet" and spec["hostPID"] is True
    assert spec["volumes"][0]["configMap"]["name"] == config_map["metadata"]["name"]


def test_every_catalog_pipeline_documents_itself() -> None:
    for pipeline in catalog.all_pipelines():
        assert pipeline.description
        assert pipeline.expected_reduction.max >= pipeline.expected_reduction.min
        assert pipeline.critical_processes.names or pipeline.name == "process-baseline-v1"
