"""The prism CLI end to end: a real daemon, the sandbox (moto as its own process), over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prism.daemon.client import DaemonClient
from prism.sandbox import Sandbox


def prism(
    state: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "PRISM_STATE_DIR": str(state),
        "PRISM_DAEMON_PORT": "0",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "prism", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("prism-state")
    yield folder
    prism(folder, "daemon", "stop")
    Sandbox(folder).stop()


def test_the_first_user_journey_in_the_sandbox(state: Path) -> None:
    templates = as_json(prism(state, "templates", "list", "--output", "json"))
    assert "python-ml-workstation" in {t["slug"] for t in templates}

    launched = prism(state, "launch", "python-ml-workstation", "demo")
    assert launched.returncode == 0, launched.stderr
    assert "demo is running" in launched.stdout
    assert "simulated" in launched.stdout

    listed = as_json(prism(state, "list", "--output", "json"))
    demo = next(w for w in listed if w["name"] == "demo")
    assert demo["state"] == "running"
    assert demo["simulated"] is True
    assert demo["instance_type"] == "t3.medium"
    assert demo["architecture"] == "x86_64"

    stopped = as_json(prism(state, "stop", "demo", "--output", "json"))
    assert stopped["workstation"]["state"] in ("stopping", "stopped")
    started = as_json(prism(state, "start", "demo", "--output", "json"))
    assert started["workstation"]["state"] == "pending"
    assert as_json(prism(state, "info", "demo", "--output", "json"))["state"] == "running"

    hibernated = as_json(prism(state, "hibernate", "demo", "--output", "json"))
    assert "stopped instead" in hibernated["notice"]

    cost = as_json(prism(state, "cost", "--output", "json"))
    assert cost["workstations"][0]["hourly_usd"] == pytest.approx(0.0416)

    deleted = prism(state, "delete", "demo", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert all(w["name"] != "demo" for w in as_json(prism(state, "list", "--output", "json")))


def test_a_duplicate_name_is_refused_with_what_to_do(state: Path) -> None:
    assert prism(state, "launch", "ubuntu-server", "twin", "--no-wait").returncode == 0
    again = prism(state, "launch", "ubuntu-server", "twin")
    assert again.returncode == 4
    assert "PRISM_WORKSTATION_EXISTS" in again.stderr
    assert "delete it first" in again.stderr
    assert "Traceback" not in again.stderr


def test_hibernation_sizes_and_dry_runs(state: Path) -> None:
    spot = prism(state, "launch", "ubuntu-server", "x", "--spot", "--hibernation")
    assert spot.returncode == 2
    assert "PRISM_SPOT_HIBERNATION_UNSUPPORTED" in spot.stderr
    small = prism(state, "launch", "python-ml-workstation", "x", "--size", "XS")
    assert small.returncode == 2
    assert "--size M" in small.stderr
    dry = as_json(
        prism(state, "launch", "gpu-deep-learning", "gpu", "--size", "L", "--dry-run", "-o", "json")
    )
    assert dry["workstation"]["instance_type"] == "g4dn.8xlarge"
    assert all(w["name"] != "gpu" for w in as_json(prism(state, "list", "-o", "json")))

    hib = as_json(prism(state, "launch", "ubuntu-server", "sleepy", "--hibernation", "-o", "json"))
    assert hib["hibernation"] is True
    reply = as_json(prism(state, "hibernate", "sleepy", "-o", "json"))
    assert reply["notice"] is None
    assert reply["workstation"]["state"] == "hibernated"
    assert (
        as_json(prism(state, "resume", "sleepy", "-o", "json"))["workstation"]["state"] == "pending"
    )


def test_bad_input_is_a_clear_error_and_changes_nothing(state: Path) -> None:
    before = as_json(prism(state, "list", "-o", "json"))
    unknown = prism(state, "launch", "python-ml-workstatoin", "y")
    assert unknown.returncode == 3
    assert "python-ml-workstation" in unknown.stderr
    bad_param = prism(state, "launch", "python-ml-workstation", "y", "--param", "python_version")
    assert bad_param.returncode == 2
    assert "key=value" in bad_param.stderr
    bad_name = prism(state, "launch", "ubuntu-server", "no spaces")
    assert bad_name.returncode == 2
    (state / "templates").mkdir(exist_ok=True)
    broken_file = state / "templates" / "broken.yml"
    broken_file.write_text("name: Broken\nbase: ubuntu-22.04\nports: [http]\n")
    invalid = prism(state, "templates", "validate", "-o", "json")
    assert invalid.returncode == 1
    broken = next(r for r in json.loads(invalid.stdout) if not r["ok"])
    assert broken["errors"][0]["line"] == 3
    broken_file.unlink()
    for result in (unknown, bad_param, bad_name):
        assert "Traceback" not in result.stderr
    assert as_json(prism(state, "list", "-o", "json")) == before


def test_volumes_and_storage(state: Path) -> None:
    assert prism(state, "launch", "ubuntu-server", "box").returncode == 0
    volume = as_json(prism(state, "volume", "create", "shared", "-o", "json"))
    assert volume["file_system_id"].startswith("fs-")
    mounted = as_json(prism(state, "volume", "mount", "shared", "box", "-o", "json"))
    assert mounted["mount_point"] == "/mnt/shared"
    assert as_json(prism(state, "volume", "list", "-o", "json"))[0]["mounted_on"] == ["box"]
    busy = prism(state, "volume", "delete", "shared")
    assert busy.returncode == 4
    assert prism(state, "volume", "unmount", "shared", "box").returncode == 0
    at_boot = as_json(
        prism(state, "launch", "ubuntu-server", "nfs", "--volume", "shared", "-o", "json")
    )
    assert at_boot["state"] == "running"
    assert as_json(prism(state, "volume", "list", "-o", "json"))[0]["mounted_on"] == ["nfs"]
    assert prism(state, "delete", "nfs", "--yes").returncode == 0
    assert prism(state, "volume", "delete", "shared", "--force").returncode == 0

    created = as_json(
        prism(
            state,
            "storage",
            "create",
            "scratch",
            "--size-gb",
            "50",
            "--workstation",
            "box",
            "-o",
            "json",
        )
    )
    assert created["size_gb"] == 50
    attached = as_json(prism(state, "storage", "attach", "scratch", "box", "-o", "json"))
    assert attached["attached_to"].startswith("i-")
    assert prism(state, "storage", "delete", "scratch").returncode == 4
    assert prism(state, "storage", "detach", "scratch").returncode == 0
    assert prism(state, "storage", "delete", "scratch").returncode == 0


def test_a_daemon_killed_mid_launch_recovers_without_launching_twice(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRISM_DAEMON_PORT", "0")
    client = DaemonClient(state)
    accepted = client.call(
        "POST", "/api/v1/workstations", json={"template": "ubuntu-server", "name": "crash"}
    )
    assert accepted["workstation"]["state"] == "launching"
    os.kill(client.ensure_running().pid, signal.SIGKILL)

    listed = as_json(prism(state, "list", "-o", "json"))
    crash = [w for w in listed if w["name"] == "crash"]
    sandbox = Sandbox(state)
    ec2 = sandbox.client("ec2", sandbox.ensure(), "us-east-1")
    tagged = [
        i
        for r in ec2.describe_instances(
            Filters=[{"Name": "tag:prism:workspace", "Values": ["crash"]}]
        )["Reservations"]
        for i in r["Instances"]
    ]
    assert len(crash) == 1
    assert len(tagged) <= 1
    if tagged:
        assert crash[0]["instance_id"] == tagged[0]["InstanceId"]
        assert crash[0]["state"] in ("pending", "running")
    else:
        assert crash[0]["state"] == "failed"
        assert "interrupted" in crash[0]["message"]


def test_connect_says_plainly_that_the_sandbox_has_nothing_to_connect_to(state: Path) -> None:
    assert prism(state, "launch", "ubuntu-server", "shell").returncode == 0
    result = prism(state, "connect", "shell")
    assert result.returncode == 1
    assert "nothing to" in result.stderr
    assert "connect to" in result.stderr


def test_doctor_reports_the_sandbox_profile(state: Path) -> None:
    report = prism(state, "doctor", "--output", "json")
    checks = {c["name"]: c for c in json.loads(report.stdout)["checks"]}
    assert checks["profile"]["status"] == "ok"
    assert "sandbox" in checks["profile"]["message"]
