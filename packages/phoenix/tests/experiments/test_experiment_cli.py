"""An A/B experiment end to end through the CLI, with deployments and rollback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


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
    assert created["state"] == "pending"
    assert phoenix(tmp_path, "experiment", "start", "agg").returncode == 0
    deadline = time.monotonic() + 30
    while as_json(phoenix(tmp_path, "experiment", "status", "agg", "-o", "json"))["state"] in (
        "pending",
        "running",
        "analyzing",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    comparison = as_json(phoenix(tmp_path, "experiment", "compare", "agg", "-o", "json"))
    a, b = comparison["variants"]["A"], comparison["variants"]["B"]
    assert a["input_series"] == b["input_series"]
    assert b["output_series"] < a["output_series"]
    assert b["critical_seen"] >= 3
    assert b["critical_retention_percent"] == 100.0
    assert comparison["experiment"]["state"] == "completed"
    page = phoenix(tmp_path, "experiment", "compare", "agg", "-o", "html").stdout
    assert page.startswith("<!doctype html>") and "<svg" in page

    promoted = as_json(phoenix(tmp_path, "experiment", "promote", "agg", "-o", "json"))
    assert promoted["deployed"]["pipeline"] == "process-aggregated-v1"


def test_rollback_restores_the_previous_configuration(tmp_path: Path) -> None:
    phoenix(tmp_path, "pipeline", "deploy", "process-topk-v1")
    phoenix(tmp_path, "pipeline", "deploy", "process-priority-filter-v1")
    before = phoenix(tmp_path, "pipeline", "get-config").stdout
    assert "priority" in before
    rolled = as_json(phoenix(tmp_path, "pipeline", "rollback", "-o", "json"))
    assert rolled["pipeline"] == "process-topk-v1"
    assert "topk" in phoenix(tmp_path, "pipeline", "get-config").stdout
    status = as_json(phoenix(tmp_path, "pipeline", "status", "-o", "json"))
    assert [d["version"] for d in status["history"]] == [3, 2, 1]


def test_an_invalid_pipeline_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndescription: x\nprocessors:\n  - type: topk\n    k: -3\n")
    done = phoenix(tmp_path, "pipeline", "validate", str(bad))
    assert done.returncode == 2
    assert "PHOENIX_PIPELINE_INVALID" in done.stderr
    assert "Traceback" not in done.stderr
    assert phoenix(tmp_path, "pipeline", "deploy", str(bad)).returncode == 2
