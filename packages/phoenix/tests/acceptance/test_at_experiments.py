"""The PRD's acceptance tests for experiments, through the CLI: an A/B experiment of the baseline
against the aggregated pipeline on the load simulator's realistic profile (real nginx, postgres
and java processes), and the errors experiment creation reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec

pytestmark = pytest.mark.acceptance

CRITICAL_REGEX = "^(nginx|postgres|java)$"


@pytest.fixture(scope="module")
def ab_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One experiment, run to its end: A = baseline, B = aggregated, over the same scrapes."""
    import json
    import os
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("ab")

    def phoenix(*args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "phoenix", *args, "-o", "json"],
            env={**os.environ, "PHOENIX_HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        return document

    sim = LoadSim(home)
    sim.start(load_spec(ProfileName.REALISTIC))
    try:
        phoenix(
            "experiment",
            "create",
            "baseline-vs-aggregated",
            "--baseline",
            "process-baseline-v1",
            "--candidate",
            "process-aggregated-v1",
            "--duration",
            "6s",
            "--interval",
            "1s",
            "--critical-processes",
            CRITICAL_REGEX,
            "--success",
            "min_reduction=30,critical=100",
        )
        phoenix("experiment", "start", "baseline-vs-aggregated")
        yield phoenix("experiment", "status", "baseline-vs-aggregated", "--watch")
    finally:
        sim.stop()


def test_AT_P05_ab_baseline_against_aggregated_shows_fewer_series_for_aggregated(
    ab_report: dict[str, Any],
) -> None:
    experiment, a, b = ab_report["experiment"], *map(ab_report["variants"].get, "AB")
    assert experiment["state"] == "completed"
    assert a["intervals"] == b["intervals"] >= 4
    assert a["input_series"] == b["input_series"], "both ran on the same scrapes"
    assert a["output_series"] == a["input_series"], "the baseline keeps everything"
    assert b["output_series"] < a["output_series"]
    assert b["reduction_percent"] >= 30
    assert b["monthly_cost_usd"] < a["monthly_cost_usd"]
    assert experiment["verdict"] == "pass", experiment["message"]


def test_AT_P06_both_variants_keep_the_critical_processes(ab_report: dict[str, Any]) -> None:
    for variant in ("A", "B"):
        figures = ab_report["variants"][variant]
        # The realistic profile's 4 nginx, 6 postgres and 2 java, in every interval.
        assert figures["critical_seen"] >= 12 * figures["intervals"]
        assert figures["critical_retention_percent"] == 100.0
    per_interval = {(i["seq"], i["variant"]): i for i in ab_report["intervals"]}
    for (seq, variant), figures in per_interval.items():
        assert figures["critical_retained"] == figures["critical_seen"], (seq, variant)


def test_AT_P08_experiment_creation_errors(tmp_path: Path, phoenix_cli: Callable[..., Any]) -> None:
    cli = phoenix_cli(tmp_path)
    ok = ["--candidate", "process-topk-v1", "--duration", "1m"]
    cli.json("experiment", "create", "taken", *ok)
    cases = [
        (["taken", *ok], 4, "PHOENIX_EXPERIMENT_EXISTS"),
        (["x", "--candidate", "process-tokp-v1"], 3, "PHOENIX_PIPELINE_NOT_FOUND"),
        (["x", *ok[:2], "--duration", "soon"], 2, "PHOENIX_DURATION_INVALID"),
        (["x", *ok, "--critical-processes", "ngin(x"], 2, "PHOENIX_REGEX_INVALID"),
        (["x", *ok, "--baseline-group", "blue"], 2, "PHOENIX_EXPERIMENT_GROUPS_INCOMPLETE"),
        (["x", *ok, "--success", "min_reduction=lots"], 2, "PHOENIX_SUCCESS_INVALID"),
    ]
    for args, exit_code, code in cases:
        problem = cli.json("experiment", "create", *args, exit_code=exit_code)
        assert problem["code"] == code, args
        assert problem["detail"] and problem["suggestions"], args
    assert [e["name"] for e in cli.json("experiment", "list")["experiments"]] == ["taken"]
    missing = cli.json("experiment", "start", "nope", exit_code=3)
    assert missing["code"] == "PHOENIX_EXPERIMENT_NOT_FOUND"
