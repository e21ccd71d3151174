"""The README's "A team's first day", line by line, each line run as the user its prompt names.

alice runs prismd (started on demand, the sandbox's AWS emulator as its own process); bob and
carol are CLIs with their own state folders that call alice's prismd with their own tokens once
they have joined. A join line stands for the command the invite before it printed.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from prism.sandbox.emulator import SANDBOX_CREDENTIALS, Sandbox

README = Path(__file__).parents[2] / "README.md"
HEADING = "### A team's first day"
JOIN = re.compile(r"prism team join (http://127\.0\.0\.1:\d+) --ticket (\S+)")


def readme_lines() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    block = section[section.index("```console\n") + len("```console\n") :]
    block = block[: block.index("```")]
    found = []
    for line in block.splitlines():
        who, _, command = line.partition("$ ")
        found.append((who, command))
    return found


EXPECTED = [
    ("alice", "prism project create lab"),
    ("alice", "prism user create bob"),
    ("alice", "prism user create carol"),
    ("alice", "prism team invite bob --role member --project lab"),
    ("alice", "prism team invite carol --role viewer --project lab"),
    ("alice", "prism project space create lab"),
    ("bob", "prism team join http://127.0.0.1:8947 --ticket TICKET"),
    ("bob", "prism user key add bob --generate"),
    ("bob", "prism launch ubuntu-server analysis --project lab --user bob --user carol"),
    ("carol", "prism team join http://127.0.0.1:8947 --ticket TICKET"),
    ("carol", "prism stop analysis"),
    ("alice", "prism audit --project lab"),
]


class Team:
    """Three people, three state folders; the README's lines in order."""

    def __init__(self, cli: Any, root: Path) -> None:
        self.cli = cli
        self.states = {who: root / who for who in ("alice", "bob", "carol")}
        self.lines = iter(readme_lines())
        self.joins: dict[str, str] = {}

    def next(self) -> subprocess.CompletedProcess[str]:
        who, line = next(self.lines)
        args = shlex.split(line)
        assert args[0] == "prism", line
        if args[1:3] == ["team", "join"]:
            args = shlex.split(self.joins[who])
        result: subprocess.CompletedProcess[str] = self.cli.run(
            self.states[who], *args[1:], env={"PRISM_USER": who}
        )
        invited = JOIN.search(result.stdout)
        if args[1:3] == ["team", "invite"] and invited:
            self.joins[args[3]] = invited.group(0)
        return result

    def json(self, who: str, *args: str) -> Any:
        result = self.cli.run(self.states[who], *args, "--output", "json")
        assert result.returncode == 0, result.stderr + result.stdout
        return json.loads(result.stdout)

    def aws(self, service: str) -> Any:
        url = Sandbox(self.states["alice"]).url()
        assert url is not None
        return boto3.client(
            service, endpoint_url=url, region_name="us-east-1", **SANDBOX_CREDENTIALS
        )


@pytest.fixture
def team(prism: Any, tmp_path: Path) -> Iterator[Team]:
    made = Team(prism, tmp_path)
    try:
        yield made
    finally:
        prism.stop_daemon(made.states["alice"], sandbox=True)


def test_the_readme_lists_the_walk_through_this_test_follows() -> None:
    assert readme_lines() == EXPECTED


def _user_data(team: Team, name: str) -> str:
    """The setup script as EC2 holds it (moto keeps the base64 boto3 sent, base64 again)."""
    instance = team.json("alice", "info", name)["workstation"]["instance_id"]
    reply = team.aws("ec2").describe_instance_attribute(InstanceId=instance, Attribute="userData")
    return base64.b64decode(reply["UserData"]["Value"]).decode()


@pytest.mark.timeout(300)
def test_a_teams_first_day_as_the_readme_tells_it(team: Team) -> None:
    # 1. alice's project, and two research users with UIDs allocated in order.
    assert team.next().returncode == 0
    bob = team.next()
    assert bob.returncode == 0, bob.stderr
    assert "2001 / 2001" in bob.stdout
    assert "2002 / 2002" in team.next().stdout

    # 2. Each invite prints a one-time join command for alice's prismd.
    port = team.json("alice", "daemon", "status")["daemon"]["url"].rsplit(":", 1)[1]
    for user, role in (("bob", "member"), ("carol", "viewer")):
        invited = team.next()
        assert invited.returncode == 0, invited.stderr
        assert f"{user} is {role} of lab." in invited.stdout
        assert team.joins[user].startswith(f"prism team join http://127.0.0.1:{port} --ticket ")

    # 3. The space: an access point per member, owned by their UID, in the emulator's EFS.
    spaced = team.next()
    assert spaced.returncode == 0, spaced.stderr
    space = team.json("alice", "project", "space", "info", "lab")["space"]
    assert {(a["user"], a["uid"], a["permission"]) for a in space["users"]} == {
        ("bob", 2001, "write"),
        ("carol", 2002, "read"),
    }
    points = team.aws("efs").describe_access_points(FileSystemId=space["file_system_id"])
    by_path = {p["RootDirectory"]["Path"]: p for p in points["AccessPoints"]}
    assert set(by_path) == {"/team", "/users/bob", "/users/carol"}
    assert by_path["/users/bob"]["PosixUser"] == {"Uid": 2001, "Gid": 2001}
    assert by_path["/users/carol"]["RootDirectory"]["CreationInfo"]["OwnerUid"] == 2002
    assert by_path["/team"]["RootDirectory"]["CreationInfo"]["OwnerGid"] == space["group_id"]

    # 4. bob joins: his own token, 0600 in his state folder, and his CLI now calls alice's.
    joined = team.next()
    assert joined.returncode == 0, joined.stderr
    assert "Joined as bob" in joined.stdout
    remote = team.states["bob"] / "remote.json"
    assert stat.S_IMODE(remote.stat().st_mode) == 0o600
    bob_token = json.loads(remote.read_text())["token"]
    alice_token = (team.states["alice"] / "prismd.token").read_text().strip()
    assert bob_token != alice_token

    # 5. bob's key pair, made on his machine.
    keyed = team.next()
    assert keyed.returncode == 0, keyed.stderr
    private = team.states["bob"] / "keys" / "users" / "bob_ed25519"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = private.with_name("bob_ed25519.pub").read_text().split()[1]

    # 6. bob launches into lab with both users: the setup script mounts the space and makes
    # them with their UIDs, homes in the space, bob's key installed.
    launched = team.next()
    assert launched.returncode == 0, launched.stderr
    assert not (team.states["bob"] / "prismd.json").exists()  # no daemon of his own
    script = _user_data(team, "analysis")
    assert "useradd -m -u 2001 -g 2001 -d /shared/lab/users/bob -s /bin/bash bob" in script
    assert "useradd -m -u 2002 -g 2002 -d /shared/lab/users/carol -s /bin/bash carol" in script
    assert f"accesspoint={by_path['/users/bob']['AccessPointId']}" in script
    assert f"accesspoint={by_path['/team']['AccessPointId']},nofail" in script
    assert public in script
    assert "usermod -aG prism-lab bob" in script
    assert "usermod -aG prism-lab carol" not in script  # read permission: not in the group
    carol_point = by_path["/users/carol"]["AccessPointId"]
    assert f"accesspoint={carol_point},nofail" in script  # her own directory stays hers to write
    assert "useradd -m -s /bin/bash researcher" in script  # the template's own user stays

    # 7. carol, a viewer, may not stop it: 403 with the reason, and it still runs.
    assert team.next().returncode == 0
    refused = team.next()
    assert refused.returncode == 5, refused.stderr
    assert "PRISM_ACCESS_DENIED" in refused.stderr
    assert "carol is a viewer of lab; workstation.stop needs admin or above" in " ".join(
        refused.stderr.split()
    )
    assert team.json("alice", "info", "analysis")["workstation"]["state"] == "running"

    # 8. The audit log shows all of it, who and from where.
    audited = team.next()
    assert audited.returncode == 0, audited.stderr
    assert "workstation.stop" in audited.stdout
    entries = team.json("alice", "audit", "--project", "lab")["entries"]
    seen = [(e["who"], e["action"], e["target"], e["outcome"]) for e in reversed(entries)]
    assert seen == [
        ("alice", "project.create", "lab", "allowed"),
        ("alice", "team.invite", "bob", "allowed"),
        ("alice", "team.invite", "carol", "allowed"),
        ("alice", "project.space-create", "lab", "allowed"),
        ("bob", "workstation.launch", "analysis", "allowed"),
        ("carol", "workstation.stop", "analysis", "refused"),
    ]
    assert all(e["source"].startswith("127.0.0.1:") for e in entries)
    assert entries[0]["role"] == "viewer"
    everything = team.json("alice", "audit")["entries"]
    assert ("bob", "team.join") in {(e["who"], e["action"]) for e in everything}
    assert ("bob", "key.add", "bob") in {(e["who"], e["action"], e["target"]) for e in everything}
