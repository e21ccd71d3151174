"""The same commands against an AWS profile: credentials from ~/.aws files, the endpoint from
AWS_ENDPOINT_URL pointing at moto's server, images from an organisation's SSM path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import moto.settings
import pytest


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    yield tmp_path
    prism.stop_daemon(tmp_path, lab.env)


def test_the_everyday_commands_work_against_an_aws_profile(
    prism: Any, lab: Any, state: Path
) -> None:
    env = lab.env
    lab.use_profile(prism, state)
    ws = prism.json(state, "launch", "ubuntu-server", "real", env=env)["workstation"]
    assert ws["simulated"] is False
    assert ws["region"] == "eu-west-1"
    assert ws["state"] == "running"

    [instance] = lab.tagged("real")
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["prism:template"] == "ubuntu-server"
    assert instance["KeyName"] == "prism-lab-eu-west-1"
    assert ws["instance_id"] == instance["InstanceId"]

    assert prism.json(state, "stop", "real", env=env)["workstation"]["state"] == "stopping"
    assert prism.json(state, "start", "real", env=env)["workstation"]["state"] == "pending"

    lab.client("ec2").terminate_instances(InstanceIds=[instance["InstanceId"]])
    listed = prism.json(state, "list", env=env)["workstations"]
    assert [(w["name"], w["state"]) for w in listed] == [("real", "gone")]

    cost = prism.json(state, "cost", env=env)
    assert cost["costs"][0]["price_source"] == "bundled"
    assert prism.run(state, "delete", "real", "--yes", env=env).returncode == 0


def test_permission_denied_is_a_clear_error_and_records_nothing_running(
    prism: Any, lab: Any, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = lab.env
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    lab.use_profile(prism, state, "student")
    denied = prism.run(state, "launch", "ubuntu-server", "nope", env=env)
    assert denied.returncode == 5, denied.stderr
    assert "PRISM_AWS_PERMISSION_DENIED" in denied.stderr
    assert "RunInstances" in denied.stderr
    assert "Traceback" not in denied.stderr
    listed = prism.json(state, "list", env=env)["workstations"]
    assert [w["state"] for w in listed] == ["failed"]


def test_missing_credentials_are_explained(prism: Any, state: Path, tmp_path: Path) -> None:
    env = {
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    assert prism.run(state, "profiles", "add", "empty", "--use", env=env).returncode == 0
    result = prism.run(state, "launch", "ubuntu-server", "x", env=env)
    assert result.returncode == 3
    assert "PRISM_AWS_PROFILE_NOT_FOUND" in result.stderr
    doctor = prism.run(state, "doctor", "-o", "json", env=env)
    assert doctor.returncode == 1
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["credentials"]["status"] == "error"


def test_the_wizard_checks_the_credentials_and_activates_the_profile(
    prism: Any, lab: Any, state: Path
) -> None:
    made = prism.json(
        state,
        "profiles",
        "wizard",
        "--aws-profile",
        "lab",
        "--region",
        "eu-west-1",
        "--name",
        "wiz",
        "--yes",
        env=lab.env,
    )
    assert made["identity"].startswith("arn:aws:")
    assert made["active"] is True
    shown = prism.json(state, "profiles", "show", env=lab.env)
    assert shown["profile"]["name"] == "wiz"
    assert shown["active"] is True
