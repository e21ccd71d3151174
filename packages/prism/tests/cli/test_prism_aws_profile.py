"""The same commands against an AWS profile: credentials from ~/.aws files, the endpoint from
AWS_ENDPOINT_URL pointing at moto's server, images from an organisation's SSM path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import moto.settings
import pytest
from moto.server import ThreadedMotoServer

DENY_RUN = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"},
    ],
}


@pytest.fixture(scope="module")
def aws_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    admin = {"aws_access_key_id": "admin", "aws_secret_access_key": "admin"}

    def client(service: str, **creds: str) -> Any:
        return boto3.client(service, endpoint_url=url, region_name="eu-west-1", **(creds or admin))

    image = client("ec2").register_image(Name="lab-ubuntu-24.04", RootDeviceName="/dev/sda1")
    client("ssm").put_parameter(
        Name="/lab/amis/ubuntu-24.04/x86_64", Value=image["ImageId"], Type="String"
    )
    iam = client("iam")
    iam.create_user(UserName="student")
    iam.put_user_policy(
        UserName="student", PolicyName="no-launch", PolicyDocument=json.dumps(DENY_RUN)
    )
    key = iam.create_access_key(UserName="student")["AccessKey"]

    folder = tmp_path_factory.mktemp("aws")
    (folder / "credentials").write_text(
        "[lab]\naws_access_key_id = admin\naws_secret_access_key = admin\n"
        f"[student]\naws_access_key_id = {key['AccessKeyId']}\n"
        f"aws_secret_access_key = {key['SecretAccessKey']}\n"
    )
    (folder / "config").write_text(
        "[profile lab]\nregion = eu-west-1\n[profile student]\nregion = eu-west-1\n"
    )
    env = {
        "AWS_CONFIG_FILE": str(folder / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        "AWS_ENDPOINT_URL": url,
    }
    yield {"env": env, "client": client}
    server.stop()


def prism(state: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prism", *args],
        env={
            **os.environ,
            **env,
            "PRISM_STATE_DIR": str(state),
            "PRISM_DAEMON_PORT": "0",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    subprocess.run(
        [sys.executable, "-m", "prism", "daemon", "stop"],
        env={**os.environ, "PRISM_STATE_DIR": str(tmp_path)},
        capture_output=True,
    )


def test_the_everyday_commands_work_against_an_aws_profile(
    aws_env: dict[str, Any], state: Path
) -> None:
    env = aws_env["env"]
    added = prism(
        state,
        env,
        "profiles",
        "add",
        "lab",
        "--region",
        "eu-west-1",
        "--image-parameter-prefix",
        "/lab/amis",
        "--use",
    )
    assert added.returncode == 0, added.stderr
    launched = prism(state, env, "launch", "ubuntu-server", "real", "-o", "json")
    assert launched.returncode == 0, launched.stderr
    ws = json.loads(launched.stdout)
    assert ws["simulated"] is False
    assert ws["region"] == "eu-west-1"
    assert ws["state"] == "running"

    ec2 = aws_env["client"]("ec2")
    found = ec2.describe_instances(Filters=[{"Name": "tag:prism:workspace", "Values": ["real"]}])
    instance = found["Reservations"][0]["Instances"][0]
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["prism:template"] == "ubuntu-server"
    assert instance["KeyName"] == "prism-lab-eu-west-1"

    for action, expected in (("stop", "stopping"), ("start", "pending")):
        reply = prism(state, env, action, "real", "-o", "json")
        assert json.loads(reply.stdout)["workstation"]["state"] == expected, reply.stderr

    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    listed = json.loads(prism(state, env, "list", "-o", "json").stdout)
    assert listed[0]["state"] == "gone"

    cost = json.loads(prism(state, env, "cost", "-o", "json").stdout)
    assert cost["workstations"][0]["price_source"] == "bundled"
    assert prism(state, env, "delete", "real", "--yes").returncode == 0


def test_permission_denied_is_a_clear_error_and_records_nothing(
    aws_env: dict[str, Any], state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = aws_env["env"]
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    prism(
        state,
        env,
        "profiles",
        "add",
        "student",
        "--region",
        "eu-west-1",
        "--image-parameter-prefix",
        "/lab/amis",
        "--use",
    )
    denied = prism(state, env, "launch", "ubuntu-server", "nope")
    assert denied.returncode == 5, denied.stderr
    assert "PRISM_AWS_PERMISSION_DENIED" in denied.stderr
    assert "RunInstances" in denied.stderr
    assert "Traceback" not in denied.stderr
    listed = json.loads(prism(state, env, "list", "-o", "json").stdout)
    assert [w["state"] for w in listed] == ["failed"]


def test_missing_credentials_are_explained(state: Path, tmp_path: Path) -> None:
    env = {
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    prism(state, env, "profiles", "add", "empty", "--use")
    result = prism(state, env, "launch", "ubuntu-server", "x")
    assert result.returncode == 3
    assert "PRISM_AWS_PROFILE_NOT_FOUND" in result.stderr
    doctor = json.loads(prism(state, env, "doctor", "-o", "json").stdout)
    checks = {c["name"]: c for c in doctor["checks"]}
    assert checks["credentials"]["status"] == "error"


def test_the_wizard_checks_the_credentials_and_activates_the_profile(
    aws_env: dict[str, Any], state: Path
) -> None:
    result = prism(
        state,
        aws_env["env"],
        "profiles",
        "wizard",
        "--aws-profile",
        "lab",
        "--region",
        "eu-west-1",
        "--name",
        "wiz",
        "--yes",
        "-o",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["identity"].startswith("arn:aws:")
    shown = json.loads(prism(state, aws_env["env"], "profiles", "show", "-o", "json").stdout)
    assert shown["name"] == "wiz"
