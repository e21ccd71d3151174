"""Research users and their keys through the CLI against an AWS profile on moto's server: UIDs
allocated once and never reused, the same on three workstations (their setup scripts as EC2
holds them), the SSM commands add-to and remove-from send, `connect --as`, and bad input.
"""

from __future__ import annotations

import base64
import json
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    lab.use_profile(prism, tmp_path)
    yield tmp_path
    prism.stop_daemon(tmp_path, lab.env)


def _fails(prism: Any, state: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    result = prism.run(state, *args, "-o", "json", env=env)
    return result.returncode, json.loads(result.stdout)


def _user_data(lab: Any, instance_id: str) -> str:
    """The setup script as EC2 holds it (moto keeps the base64 boto3 sent, base64 again)."""
    reply = lab.client("ec2").describe_instance_attribute(
        InstanceId=instance_id, Attribute="userData"
    )
    return base64.b64decode(reply["UserData"]["Value"]).decode()


def _commands(lab: Any, command_id: str) -> list[str]:
    [sent] = lab.client("ssm").list_commands(CommandId=command_id)["Commands"]
    assert sent["DocumentName"] == "AWS-RunShellScript"
    return list(sent["Parameters"]["commands"])


@pytest.mark.timeout(300)
def test_uids_are_allocated_once_and_the_same_on_three_workstations(
    prism: Any, lab: Any, state: Path
) -> None:
    env = lab.env
    ada = prism.json(state, "user", "create", "ada", env=env)["user"]
    grace = prism.json(
        state, "user", "create", "grace", "--uid", "2500", "--groups", "docker", env=env
    )["user"]
    assert (ada["uid"], ada["gid"]) == (2001, 2001)
    assert (grace["uid"], grace["groups"]) == (2500, ["docker"])
    # Deleted, then created again: a new UID, the old one stays hers for good.
    assert prism.run(state, "user", "delete", "ada", "--yes", env=env).returncode == 0
    ada = prism.json(state, "user", "create", "ada", env=env)["user"]
    assert ada["uid"] == 2501
    code, problem = _fails(prism, state, env, "user", "create", "linus", "--uid", "2001")
    assert (code, problem["code"]) == (4, "PRISM_UID_TAKEN")
    assert "never given again" in problem["detail"]
    assert prism.json(state, "user", "key", "add", "grace", "--generate", env=env)

    suffix = secrets.token_hex(2)
    names = [f"uid-{suffix}-{n}" for n in range(3)]
    for name in names:
        launched = prism.run(
            state, "launch", "ubuntu-server", name, "--user", "ada", "--user", "grace", env=env
        )
        assert launched.returncode == 0, launched.stderr
    grace_key = prism.json(state, "user", "info", "grace", env=env)["user"]["keys"][0]
    for name in names:
        ws = prism.json(state, "info", name, env=env)["workstation"]
        script = _user_data(lab, ws["instance_id"])
        assert "useradd -m -u 2501 -g 2501 -d /home/ada -s /bin/bash ada" in script
        assert "useradd -m -u 2500 -g 2500 -d /home/grace -s /bin/bash grace" in script
        assert "usermod -aG docker grace" in script
        assert grace_key["public_key"] in script
        assert "run_stage research_users stage_research_users" in script

    # On a running workstation: a third user through SSM, then off again.
    prism.json(state, "user", "create", "linus", env=env)
    added = prism.json(state, "user", "add-to", names[0], "linus", env=env)
    assert added["users"] == ["ada", "grace", "linus"]
    sent = _commands(lab, added["command_id"])
    assert any("useradd -m -u 2502 -g 2502 -d /home/linus -s /bin/bash linus" in c for c in sent)
    removed = prism.json(state, "user", "remove-from", names[0], "linus", env=env)
    assert removed["users"] == ["ada", "grace"]
    assert "id -u linus >/dev/null 2>&1 && userdel linus || true" in _commands(
        lab, removed["command_id"]
    )
    code, problem = _fails(prism, state, env, "user", "remove-from", names[0], "linus")
    assert (code, problem["code"]) == (4, "PRISM_USER_NOT_ON_WORKSTATION")

    # connect --as uses the key made for that user here.
    connection = prism.json(state, "connect", names[1], "--as", "grace", env=env)["connection"]
    key_file = state / "keys" / "users" / "grace_ed25519"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert connection["user"] == "grace"
    assert connection["command"][1:3] == ["-i", str(key_file)]
    assert connection["command"][-1] == f"grace@{connection['host']}"
    code, problem = _fails(prism, state, env, "connect", names[1], "--as", "ada")
    assert (code, problem["code"]) == (3, "PRISM_USER_KEY_MISSING")
    code, problem = _fails(prism, state, env, "connect", names[1], "--as", "linus")
    assert (code, problem["code"]) == (4, "PRISM_USER_NOT_ON_WORKSTATION")
    for name in names:
        assert prism.run(state, "delete", name, "--yes", env=env).returncode == 0


def test_keys_and_bad_input(prism: Any, lab: Any, state: Path, tmp_path: Path) -> None:
    env = lab.env
    prism.json(state, "user", "create", "ada", env=env)
    pub = tmp_path / "ada.pub"
    pub.write_text(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIh7l0Yu4e2cXyy9YwG8dO+vWd1yJZBIS/3SWr4Zuc1Y ada@lab\n"
    )
    added = prism.json(state, "user", "key", "add", "ada", str(pub), env=env)
    assert added["key"]["fingerprint"].startswith("SHA256:")
    assert added["key"]["comment"] == "ada@lab"
    code, problem = _fails(prism, state, env, "user", "key", "add", "ada", str(pub))
    assert (code, problem["code"]) == (4, "PRISM_KEY_EXISTS")
    listed = prism.json(state, "user", "key", "list", "ada", env=env)["user"]["keys"]
    assert [k["fingerprint"] for k in listed] == [added["key"]["fingerprint"]]
    removed = prism.json(
        state, "user", "key", "remove", "ada", added["key"]["fingerprint"], env=env
    )
    assert removed["key"]["fingerprint"] == added["key"]["fingerprint"]
    assert prism.json(state, "user", "key", "list", "ada", env=env)["user"]["keys"] == []

    bad = tmp_path / "bad.pub"
    bad.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    cases = [
        (("user", "key", "add", "ada", str(bad)), 2, "PRISM_KEY_INVALID"),
        (("user", "key", "add", "ada", str(tmp_path / "none.pub")), 3, "PRISM_KEY_FILE_UNREADABLE"),
        (("user", "key", "add", "ada"), 2, "PRISM_KEY_SOURCE_REQUIRED"),
        (("user", "key", "add", "ada", str(pub), "--generate"), 2, "PRISM_KEY_SOURCE_REQUIRED"),
        (("user", "key", "remove", "ada", "SHA256:nope"), 3, "PRISM_KEY_NOT_FOUND"),
        (("user", "create", "Ada Lovelace"), 2, "PRISM_USER_NAME_INVALID"),
        (("user", "create", "ada"), 4, "PRISM_USER_EXISTS"),
        (("user", "create", "bob", "--uid", "5"), 2, "PRISM_UID_OUT_OF_RANGE"),
        (("user", "info", "nobody"), 3, "PRISM_USER_NOT_FOUND"),
        (("user", "add-to", "no-such-ws", "ada"), 3, "PRISM_WORKSTATION_NOT_FOUND"),
        (("team", "invite", "ada", "--role", "boss", "--project", "x"), 2, "PRISM_USAGE"),
        (
            ("team", "invite", "ada", "--role", "member", "--project", "nope"),
            3,
            "PRISM_PROJECT_NOT_FOUND",
        ),
        (("team", "join", "ftp://x", "--ticket", "t"), 2, "PRISM_JOIN_URL_INVALID"),
        (("team", "join", "http://10.1.2.3:8947", "--ticket", "t"), 2, "PRISM_JOIN_URL_INVALID"),
        (
            ("project", "space", "create", "x", "--permission", "ada=root"),
            2,
            "PRISM_SPACE_PERMISSION_INVALID",
        ),
        (("daemon", "start", "--tls-cert", "c.pem"), 2, "PRISM_TLS_WITHOUT_LISTEN"),
    ]
    wrong = []
    for args, code, expected in cases:
        found, problem = _fails(prism, state, env, *args)
        if (found, problem.get("code")) != (code, expected) or not problem.get("suggestions"):
            wrong.append((args, found, problem))
    assert wrong == []


@pytest.mark.timeout(300)
def test_a_project_space_is_mounted_on_running_workstations_and_checked_through_ssm(
    prism: Any, lab: Any, state: Path
) -> None:
    env = lab.env
    project = f"p{secrets.token_hex(3)}"
    assert prism.run(state, "project", "create", project, env=env).returncode == 0
    prism.json(state, "user", "create", "ada", env=env)
    prism.json(state, "team", "invite", "ada", "--role", "admin", "--project", project, env=env)
    name = f"sp-{project}"
    launched = prism.run(
        state, "launch", "ubuntu-server", name, "--project", project, "--user", "ada", env=env
    )
    assert launched.returncode == 0, launched.stderr
    # The space made while the workstation runs: mounted there at once, through SSM.
    made = prism.json(state, "project", "space", "create", project, env=env)
    space = made["space"]
    assert [(a["user"], a["permission"]) for a in space["users"]] == [("ada", "admin")]
    sent = _commands(lab, made["mounted_on"][name])
    ada_point = next(a["access_point_id"] for a in space["users"])
    assert any(f"accesspoint={ada_point}" in line for line in sent)
    assert any(f"mount /shared/{project}/users/ada" in line for line in sent)
    # Asked again: nothing new to make, the same access points.
    again = prism.json(state, "project", "space", "create", project, env=env)["space"]
    assert again["users"] == space["users"]

    checked = prism.json(state, "volume", "status", "--workstation", name, env=env)["mounts"]
    assert [(m["mount_point"], m["source"]) for m in checked] == [
        (f"/shared/{project}/team", f"space {project}"),
        (f"/shared/{project}/users/ada", f"space {project}"),
    ]
    # moto runs no script: the command went out, its output is empty.
    assert {m["state"] for m in checked} == {"unreported"}
    script = _commands(lab, checked[0]["command_id"])
    assert any(f"mountpoint -q /shared/{project}/team" in line for line in script)
    assert prism.run(state, "delete", name, "--yes", env=env).returncode == 0


def test_a_project_owns_templates_its_members_launch(
    prism: Any, lab: Any, state: Path, tmp_path: Path
) -> None:
    env = lab.env
    project = f"t{secrets.token_hex(3)}"
    assert prism.run(state, "project", "create", project, env=env).returncode == 0
    file = tmp_path / "env.yml"
    file.write_text(f"name: {project} env\nbase: ubuntu-24.04\npackages:\n  system: [htop]\n")
    added = prism.json(state, "project", "template", "add", project, str(file), env=env)
    slug = added["template"]["slug"]
    assert slug == f"{project}-env"
    code, problem = _fails(prism, state, env, "project", "template", "add", project, str(file))
    assert (code, problem["code"]) == (4, "PRISM_PROJECT_TEMPLATE_EXISTS")
    listed = prism.json(state, "project", "template", "list", project, env=env)["templates"]
    assert [t["slug"] for t in listed] == [slug]
    name = f"ws-{project}"
    launched = prism.json(state, "launch", slug, name, "--project", project, env=env)
    assert launched["workstation"]["template"] == slug
    code, problem = _fails(prism, state, env, "launch", slug, f"{name}-2")
    assert (code, problem["code"]) == (3, "PRISM_TEMPLATE_NOT_FOUND")
    removed = prism.json(state, "project", "template", "remove", project, slug, env=env)
    assert removed["removed"] is True
    assert prism.run(state, "delete", name, "--yes", env=env).returncode == 0
