"""An A/B experiment end to end through the CLI, with deployments and rollback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def phoenix(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phoenix", *args],
        env={**os.environ, "PHOENIX_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_baseline_against_aggregated(tmp_path: Path, processes: Callable[..., Any]) -> None:
    processes(["nginx", "postgres", "java", *[f"svc-{i}" for i in range(40)]])
    created = as_json(
        phoenix(
            tmp_path,
            "experiment",
            "create",
            "agg",
            "--baseline",
            "process-baseline-v1",
            "--candidate",
            "process-aggregated-v1",
            "--duration",
            "3s",
            "--interval",
            "1s",
            "--critical-processes",
            "^(nginx|postgres|java)$",
            "-o",
            "json",
        )
    )
    assert created["experiment"]["state"] == "pending"
    assert phoenix(tmp_path, "experiment", "start", "agg").returncode == 0
    # --watch waits for the end and prints the final figures, one document.
    watched = as_json(phoenix(tmp_path, "experiment", "status", "agg", "--watch", "-o", "json"))
    assert watched["experiment"]["state"] == "completed"
    runner_log = tmp_path / "logs" / f"experiment-{created['experiment']['id']}.log"
    assert runner_log.exists(), "the runner logs where the CLI does"
    comparison = as_json(phoenix(tmp_path, "experiment", "compare", "agg", "-o", "json"))
    a, b = comparison["variants"]["A"], comparison["variants"]["B"]
    assert a["input_series"] == b["input_series"]
    assert b["output_series"] < a["output_series"]
    assert b["critical_seen"] >= 3
    assert b["critical_retention_percent"] == 100.0
    assert comparison["experiment"]["verdict"] in ("pass", "fail")
    assert [i["variant"] for i in comparison["intervals"][:2]] == ["A", "B"]
    page = phoenix(tmp_path, "experiment", "compare", "agg", "-o", "html").stdout
    assert page.startswith("<!doctype html>") and "<svg" in page
    report = tmp_path / "report.html"
    written = phoenix(tmp_path, "experiment", "compare", "agg", "-o", "html", "--out", str(report))
    assert written.stdout.strip() == f"Wrote {report}"
    assert report.read_text() == page

    promoted = as_json(phoenix(tmp_path, "experiment", "promote", "agg", "-o", "json"))
    assert promoted["deployment"]["pipeline"] == "process-aggregated-v1"
    assert promoted["experiment"]["id"] == created["experiment"]["id"]


def test_rollback_restores_the_previous_configuration(tmp_path: Path) -> None:
    phoenix(tmp_path, "pipeline", "deploy", "process-topk-v1")
    phoenix(tmp_path, "pipeline", "deploy", "process-priority-filter-v1")
    before = phoenix(tmp_path, "pipeline", "get-config").stdout
    assert "priority" in before
    rolled = as_json(phoenix(tmp_path, "pipeline", "rollback", "-o", "json"))
    assert rolled["deployment"]["pipeline"] == "process-topk-v1"
    assert "topk" in phoenix(tmp_path, "pipeline", "get-config").stdout
    status = as_json(phoenix(tmp_path, "pipeline", "status", "-o", "json"))
    assert [d["version"] for d in status["deployments"]] == [3, 2, 1]
    assert status["deployment"]["version"] == 3


def test_an_invalid_pipeline_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: x\nprocessors:\n  - type: topk\n    k: -3\n")
    done = phoenix(tmp_path, "pipeline", "validate", str(bad))
    assert done.returncode == 2
    assert "│ 5    │ processors.0.k" in done.stdout
    assert "Traceback" not in done.stderr
    deployed = phoenix(tmp_path, "pipeline", "deploy", str(bad))
    assert deployed.returncode == 2
    assert "PHOENIX_PIPELINE_INVALID" in deployed.stderr
    assert "line 5 (processors.0.k)" in deployed.stderr


def test_experiment_names_are_unique(tmp_path: Path) -> None:
    first = as_json(phoenix(tmp_path, "experiment", "create", "trial", "-o", "json"))
    again = phoenix(tmp_path, "experiment", "create", "trial", "-o", "json")
    assert again.returncode == 4
    problem = json.loads(again.stdout)
    assert problem["code"] == "PHOENIX_EXPERIMENT_EXISTS"
    assert first["experiment"]["id"] in problem["detail"]
    listed = as_json(phoenix(tmp_path, "experiment", "list", "-o", "json"))
    assert [e["name"] for e in listed["experiments"]] == ["trial"]


def test_get_config_shows_what_runs_with_its_params(tmp_path: Path) -> None:
    deployed = phoenix(tmp_path, "pipeline", "deploy", "process-topk-v1", "--param", "topk.k=7")
    assert deployed.returncode == 0, deployed.stderr
    shown = as_json(phoenix(tmp_path, "pipeline", "get-config", "-o", "json"))
    assert shown["deployment"]["params"] == {"topk.k": "7"}
    assert shown["config"].startswith("# --param topk.k=7\n")
    running = yaml.safe_load(shown["config"])
    assert running["processors"][0]["k"] == 7
    assert running["name"] == "process-topk-v1"
