"""Every render is checked by the real collector (phoenix-otelcol validate), and the Kubernetes
manifests against the Kubernetes API schemas, offline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from phoenix.deployments import with_params
from phoenix.otelcol.binary import collector_check
from phoenix.otelcol.k8s import check_manifests, render_k8s
from phoenix.otelcol.render import COLLECTOR_RELEASE, render_otelcol
from phoenix.pipelines import catalog

GO_MOD = Path(__file__).parents[2] / "otelcol" / "go.mod"

RENDERS = [
    (name, params)
    for name in catalog.names()
    for params in [{}, *catalog.get(name).documented_params]
]


def phoenix(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phoenix", *args],
        env={**os.environ, "PHOENIX_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("name", "params"), RENDERS, ids=[f"{n}{p}" for n, p in RENDERS])
def test_the_collector_accepts_every_catalog_render(
    otelcol: Path, name: str, params: dict[str, str]
) -> None:
    pipeline = with_params(catalog.get(name), params)
    config = yaml.safe_dump(render_otelcol(pipeline).config, sort_keys=False)
    valid, said = collector_check(otelcol, config)
    assert valid, said


def test_the_collector_refuses_what_it_cannot_run(otelcol: Path) -> None:
    """The check is real: a statement the collector does not know is refused, by name."""
    config = render_otelcol(catalog.get("process-topk-v1")).config
    text = yaml.safe_dump(config).replace("aggregate_on_attributes", "aggregate_on_attribute")
    valid, said = collector_check(otelcol, text)
    assert not valid
    assert 'undefined function "aggregate_on_attribute"' in said


def test_pipeline_validate_otelcol_asks_the_collector(otelcol: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(catalog.source("process-aggregated-v1"))
    done = phoenix(tmp_path, "pipeline", "validate", str(good), "--otelcol", "-o", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    checked = json.loads(done.stdout)
    assert checked["collector"] == {"binary": str(otelcol), "valid": True, "message": "valid"}
    # Python accepts a look-ahead; the collector's RE2 does not, and says so.
    lookahead = tmp_path / "lookahead.yaml"
    lookahead.write_text(
        catalog.source("process-priority-filter-v1").replace(
            "cpu_percent_above: 50", 'cpu_percent_above: 50\n      patterns: ["(?!x)sys.*"]'
        )
    )
    done = phoenix(tmp_path, "pipeline", "validate", str(lookahead), "--otelcol", "-o", "json")
    assert done.returncode == 2, done.stdout + done.stderr
    refused = json.loads(done.stdout)
    assert refused["collector"]["valid"] is False
    assert "the collector refuses it" in refused["problems"][-1]["message"]
    assert "invalid or unsupported Perl syntax" in refused["collector"]["message"]


def test_without_a_collector_validate_otelcol_says_how_to_get_one(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(catalog.source("process-topk-v1"))
    done = phoenix(
        tmp_path,
        "pipeline",
        "validate",
        str(good),
        "--otelcol",
        "-o",
        "json",
        PHOENIX_OTELCOL=str(tmp_path / "nowhere"),
    )
    assert done.returncode == 6
    problem = json.loads(done.stdout)
    assert problem["code"] == "PHOENIX_COLLECTOR_NOT_FOUND"
    assert any("make collector" in s for s in problem["suggestions"])


def test_the_release_is_the_one_the_distribution_is_built_from() -> None:
    pinned = set(re.findall(r"opentelemetry-collector-contrib/\S+ v(\S+)", GO_MOD.read_text()))
    assert pinned == {COLLECTOR_RELEASE}


@pytest.mark.parametrize("name", catalog.names())
def test_k8s_manifests_pass_the_kubernetes_schemas(name: str) -> None:
    documents, _ = render_k8s(catalog.get(name))
    assert check_manifests(documents)
    kinds = [d["kind"] for d in documents]
    assert kinds == ["Namespace", "ServiceAccount", "ConfigMap", "DaemonSet", "Service"]
    daemon_set = documents[3]["spec"]["template"]["spec"]
    assert daemon_set["hostPID"] is True
    assert daemon_set["serviceAccountName"] == documents[1]["metadata"]["name"]
    [container] = daemon_set["containers"]
    assert container["image"].endswith(f":{COLLECTOR_RELEASE}")
    config: dict[str, Any] = yaml.safe_load(documents[2]["data"]["config.yaml"])
    assert config["receivers"]["hostmetrics"]["root_path"] == "/hostfs"
    service = documents[4]["spec"]
    assert service["ports"][0]["targetPort"] == "metrics"


def test_a_bad_manifest_is_caught_offline() -> None:
    documents, _ = render_k8s(catalog.get("process-topk-v1"))
    documents[3]["spec"]["template"]["spec"]["hostPid"] = True
    with pytest.raises(Exception, match="hostPid"):
        check_manifests(documents)


def test_on_a_bare_host_there_is_no_hostfs() -> None:
    config = render_otelcol(catalog.get("process-topk-v1")).config
    assert "root_path" not in config["receivers"]["hostmetrics"]
    exporter = config["exporters"]["prometheus"]
    assert exporter["resource_to_telemetry_conversion"] == {"enabled": True}


@pytest.mark.parametrize("name", catalog.names())
def test_no_statement_marks_a_critical_process(name: str) -> None:
    config = render_otelcol(catalog.get(name)).config
    statements = [
        statement
        for processor in config["processors"].values()
        for group in processor.get("metric_statements", [])
        for statement in group["statements"]
    ]
    marks = [s for s in statements if s.startswith('set(resource.attributes["phoenix.dropped"]')]
    assert all('resource.attributes["phoenix.critical"] == nil' in s for s in marks)
    assert bool(marks) == (name != "process-baseline-v1")


@pytest.mark.parametrize("name", catalog.names())
def test_the_catalog_measurements_describe_the_current_renders(name: str) -> None:
    """The bench writes them; a render that changed fidelity since needs the bench run again."""
    measured = catalog.measurements()["pipelines"][name]
    rendered = render_otelcol(catalog.get(name))
    assert measured["fidelity"] == ("approximate" if rendered.approximate else "exact")
    reduction = catalog.get(name).expected_reduction
    figures = sorted(
        max(0.0, measured[key])
        for key in ("engine_reduction_percent", "collector_reduction_percent")
    )
    assert (reduction.min, reduction.max) == (figures[0], figures[1])
    [summary] = [s for s in catalog.summaries() if s.name == name]
    assert summary.collector == measured["fidelity"]
