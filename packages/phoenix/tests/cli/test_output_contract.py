"""The output contract, command by command: `-o json` prints exactly one JSON object on stdout,
in the documented shape, and a failure prints one problem+json document with the exit code."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer._click import Context

from phoenix.cli import app
from phoenix.pipelines import catalog


def phoenix(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phoenix", *args],
        env={**os.environ, "PHOENIX_HOME": str(home), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_document(text: str) -> dict[str, Any]:
    """The whole of stdout is one JSON object (json.loads refuses anything after it)."""
    document = json.loads(text)
    assert isinstance(document, dict), f"not a JSON object: {text[:200]}"
    return document


def every_command() -> set[str]:
    root = typer.main.get_command(app)
    found = set()

    def walk(command: Any, path: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.add(path.strip())
            return
        context = Context(command)
        for name in command.list_commands(context):
            walk(command.get_command(context, name), f"{path} {name}")

    walk(root, "")
    return found


def first_document_of(process: subprocess.Popen[str]) -> dict[str, Any]:
    """What a long-running command prints once it listens: read until it is one document."""
    assert process.stdout is not None
    text = ""
    while True:
        line = process.stdout.readline()
        assert line, f"ended before printing a document: {text!r}"
        text += line
        try:
            return one_document(text)
        except json.JSONDecodeError:
            continue


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[Callable[..., dict[str, Any]]]:
    """Runs a command with -o json, checks its one document's top-level keys, records it."""
    covered: set[str] = set()

    def run(command: str, *args: str, keys: set[str], exit_code: int = 0) -> dict[str, Any]:
        done = phoenix(tmp_path, *command.split(), *args, "-o", "json")
        assert done.returncode == exit_code, done.stdout + done.stderr
        document = one_document(done.stdout)
        assert set(document) == keys, f"{command}: {sorted(document)}"
        covered.add(command)
        return document

    run.covered = covered  # type: ignore[attr-defined]
    yield run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_every_command_prints_one_json_document(
    tmp_path: Path, runs: Callable[..., dict[str, Any]], otelcol: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PHOENIX_OTELCOL", str(otelcol))
    runs("doctor", keys={"tool", "status", "checks"})

    assert len(runs("pipeline list", keys={"pipelines"})["pipelines"]) == len(catalog.names())
    shown = runs("pipeline show", "process-topk-v1", keys={"pipeline"})
    assert shown["pipeline"]["name"] == "process-topk-v1"
    good = tmp_path / "good.yaml"
    good.write_text(catalog.source("process-topk-v1"))
    checked = runs(
        "pipeline validate",
        str(good),
        keys={"source", "valid", "pipeline", "problems", "collector"},
    )
    assert checked["valid"] is True
    bad = tmp_path / "bad.yaml"
    bad.write_text(catalog.source("process-topk-v1").replace("k: 20", "k: 0"))
    finding = runs(
        "pipeline validate",
        str(bad),
        keys={"source", "valid", "pipeline", "problems", "collector"},
        exit_code=2,
    )
    assert finding["valid"] is False
    assert finding["problems"][0]["where"] == "processors.0.k"
    deployed = runs("pipeline deploy", "process-topk-v1", keys={"deployment"})
    assert deployed["deployment"]["version"] == 1
    live = runs("pipeline status", keys={"deployment", "deployments", "live"})["live"]
    assert live["healthy"] is False and live["problem"]["code"] == "PHOENIX_AGENT_DOWN"
    assert "topk" in runs("pipeline get-config", keys={"deployment", "config"})["config"]
    runs("pipeline rollback", keys={"deployment"})
    baseline = runs("pipeline delete", keys={"deployment"})
    assert baseline["deployment"]["pipeline"] == "process-baseline-v1"
    rendered = runs(
        "pipeline render", "process-topk-v1", "--format", "k8s", keys={"collector_config"}
    )
    assert [d["kind"] for d in rendered["collector_config"]["documents"]] == [
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "DaemonSet",
        "Service",
    ]
    assert rendered["collector_config"]["fidelity"] == "approximate"

    checked = runs(
        "pipeline validate",
        str(good),
        "--otelcol",
        keys={"source", "valid", "pipeline", "problems", "collector"},
    )
    assert checked["collector"]["valid"] is True
    verified = runs("pipeline verify", "process-aggregated-v1", keys={"verification"})
    assert verified["verification"]["passed"] is True

    gateway = runs("fleet gateway", "--listen", "127.0.0.1:4318", keys={"collector_config"})[
        "collector_config"
    ]
    assert gateway["documents"][0]["receivers"]["otlp"]
    host = ["--local", "--group", "lab", "--gateway", f"http://127.0.0.1:{free_port()}"]
    host += ["--health-port", str(free_port()), "--telemetry-port", str(free_port())]
    added = runs("fleet host add", "lab-1", *host, keys={"host"})
    assert added["host"]["collector"] == str(otelcol)
    assert runs("fleet host list", keys={"hosts"})["hosts"][0]["name"] == "lab-1"
    for pipeline in ("process-baseline-v1", "process-topk-v1"):
        deployed = runs("fleet deploy", pipeline, "--group", "lab", keys={"deployments"})
        assert deployed["deployments"][0]["outcome"] == "running"
    status = runs("fleet status", keys={"host_statuses"})["host_statuses"]
    assert status[0]["pipeline"] == "process-topk-v1" and status[0]["healthy"] is True
    back = runs("fleet rollback", "--group", "lab", keys={"deployments"})["deployments"]
    assert back[0]["pipeline"] == "process-baseline-v1"
    removed = runs("fleet host remove", "lab-1", keys={"host", "removed", "collector_stopped"})
    assert removed["collector_stopped"] is True

    profiles = runs("loadsim list-profiles", keys={"profiles"})["profiles"]
    assert {p["profile"] for p in profiles} == {"realistic", "high-cardinality", "process-churn"}
    started = runs(
        "loadsim start",
        "--profile",
        "realistic",
        "--process-count",
        "5",
        keys={"simulation", "processes_ended"},
    )
    assert started["simulation"]["running"] is True
    runs("loadsim status", keys={"simulation", "processes_ended"})
    stopped = runs("loadsim stop", keys={"simulation", "processes_ended"})
    assert stopped["simulation"]["running"] is False
    assert stopped["processes_ended"] == started["simulation"]["processes"]

    created = runs(
        "experiment create", "trial", "--duration", "60s", "--interval", "1s", keys={"experiment"}
    )
    assert created["experiment"]["state"] == "pending"
    runs("experiment list", keys={"experiments"})
    assert (
        runs("experiment start", "trial", keys={"experiment"})["experiment"]["state"] == "running"
    )
    runs("experiment status", "trial", keys={"experiment", "variants", "intervals"})
    runs("experiment compare", "trial", keys={"experiment", "variants", "intervals"})
    runs("experiment promote", "trial", keys={"experiment", "deployment"})
    cancelled = runs("experiment stop", "trial", keys={"experiment"})
    assert cancelled["experiment"]["state"] == "cancelled"
    runs("experiment delete", "trial", keys={"experiment", "deleted"})

    scrape = runs("agent", "--once", keys={"scrape"})["scrape"]
    families = {family["name"]: family for family in scrape["metrics"]}
    threads = families["process_threads"]["samples"]
    assert len(threads) * 9 == scrape["output_series"]

    for served, (command, started_file) in enumerate(
        (("agent", "phoenix-agent.json"), ("server", "phoenix-server.json")), start=1
    ):
        beside = ["--agent-port", "0"] if command == "server" else []
        process = subprocess.Popen(
            [sys.executable, "-m", "phoenix", command, "--port", "0", *beside, "-o", "json"],
            env={**os.environ, "PHOENIX_HOME": str(tmp_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            document = first_document_of(process)
            assert httpx.get(f"{document['service']['url']}/healthz").status_code == 200
            if command == "server":
                token = (tmp_path / "phoenix-agent.token").read_text().strip()
                metrics = httpx.get(
                    f"{document['agent']['url']}/metrics",
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert "phoenix_pipeline_input_series" in metrics.text  # scraped before the URL
        finally:
            process.terminate()
            rest, _ = process.communicate(timeout=20)
        if command == "server":  # with this host's agent beside it
            assert set(document) == {"service", "login_url", "agent"}
            assert document["agent"]["url"].startswith("http://127.0.0.1:")
            assert not (tmp_path / "phoenix-agent.json").exists(), "the agent outlived the server"
        else:
            assert set(document) == {"service"}
        assert document["service"]["url"].startswith("http://127.0.0.1:")
        # The service logs where the CLI does: <PHOENIX_HOME>/logs/phoenix.log.
        log = (tmp_path / "logs" / "phoenix.log").read_text()
        assert log.count('"path": "/healthz"') == served
        assert rest == "", "a second document after the first"
        assert process.returncode == 0
        assert not (tmp_path / started_file).exists(), "the service info outlived the service"
        runs.covered.add(command)  # type: ignore[attr-defined]

    assert runs.covered == every_command()  # type: ignore[attr-defined]


FAILURES = [
    (["pipeline", "show", "nope"], 3, "PHOENIX_PIPELINE_NOT_FOUND"),
    (["pipeline", "deploy", "{home}/bad.yaml"], 2, "PHOENIX_PIPELINE_INVALID"),
    (["pipeline", "validate", "{home}/missing.yaml"], 3, "PHOENIX_FILE_UNREADABLE"),
    (["pipeline", "rollback"], 4, "PHOENIX_NOTHING_TO_ROLL_BACK"),
    (["pipeline", "render", "process-topk-v1", "--format", "helm"], 2, "PHOENIX_USAGE"),
    (
        ["pipeline", "deploy", "process-topk-v1", "--param", "topk.k=abc"],
        2,
        "PHOENIX_PARAM_INVALID",
    ),
    (["pipeline", "render", "process-topk-v1", "--param", "topk.k=0"], 2, "PHOENIX_PARAM_INVALID"),
    (["experiment", "status", "nope"], 3, "PHOENIX_EXPERIMENT_NOT_FOUND"),
    (["fleet", "deploy", "process-topk-v1", "--group", "nobody"], 3, "PHOENIX_GROUP_EMPTY"),
    (["fleet", "host", "remove", "nope"], 3, "PHOENIX_HOST_NOT_FOUND"),
    (["fleet", "gateway", "--listen", "nowhere"], 2, "PHOENIX_LISTEN_INVALID"),
    (
        ["pipeline", "verify", "process-topk-v1", "--prometheus", "{home}/none"],
        6,
        "PHOENIX_PROMETHEUS_NOT_FOUND",
    ),
    (["experiment", "compare", "nope"], 3, "PHOENIX_EXPERIMENT_NOT_FOUND"),
    (["experiment", "create", "x", "--duration", "soon"], 2, "PHOENIX_DURATION_INVALID"),
    (["loadsim", "start", "--profile", "huge"], 2, "PHOENIX_USAGE"),
    (["agent", "--once", "--otlp-header", "a=b"], 2, "PHOENIX_USAGE"),
    (["no-such-command"], 2, "PHOENIX_USAGE"),
]


@pytest.mark.parametrize(("args", "exit_code", "code"), FAILURES)
def test_a_failure_is_one_problem_document_with_its_exit_code(
    tmp_path: Path, args: list[str], exit_code: int, code: str
) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\nprocessors: [{type: teleport}]\n")
    done = phoenix(tmp_path, *(a.format(home=tmp_path) for a in args), "--output", "json")
    assert done.returncode == exit_code, done.stdout + done.stderr
    problem = one_document(done.stdout)
    assert problem["code"] == code
    assert problem["exit_code"] == exit_code
    assert problem["detail"] and problem["suggestions"]
    assert "Traceback" not in done.stderr


def test_without_json_a_failure_is_a_panel_on_stderr(tmp_path: Path) -> None:
    done = phoenix(tmp_path, "pipeline", "show", "process-tokp-v1")
    assert done.returncode == 3
    assert done.stdout == ""
    assert "PHOENIX_PIPELINE_NOT_FOUND" in done.stderr
    assert "process-topk-v1" in done.stderr, "the close name is suggested"


def test_names_are_shown_as_typed_not_as_markup(tmp_path: Path) -> None:
    created = phoenix(tmp_path, "experiment", "create", "odd[/name]", "--duration", "1m")
    assert created.returncode == 0, created.stderr
    assert "(odd[/name])" in created.stdout
    assert "odd[/name]" in phoenix(tmp_path, "experiment", "list").stdout
