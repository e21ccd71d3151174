"""Data buckets under team roles, over HTTP against prismd in this process (the sandbox's S3 and
IAM): admins attach and remove, members and viewers are refused with the reason, every member
lists only their projects' buckets, and the replies are typed in /openapi.json.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundwork.service import running_service
from prism.daemon.main import build
from prism.sandbox.emulator import Sandbox

ROLES = {"admin": "lab", "member": "lab", "viewer": "lab", "outsider": "other"}


@dataclass
class Team:
    http: httpx.Client
    url: str
    tokens: dict[str, str]

    def as_(self, role: str) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def _ok(reply: httpx.Response) -> Any:
    assert reply.status_code < 300, reply.text
    return reply.json()


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Team]:
    monkeypatch.setenv("PRISM_DAEMON_PORT", "0")
    monkeypatch.setenv("PRISM_USER", "opal")
    app, engine = build(tmp_path)
    operator = {"Authorization": f"Bearer {app.state.token}"}
    try:
        with (
            running_service(app, app.state.config) as info,
            httpx.Client(base_url=info.url, headers=operator, timeout=60) as http,
        ):
            s3 = engine.session().client("s3")
            for name in ("lab-shared", "other-shared"):
                s3.create_bucket(Bucket=name)
            tokens = {}
            for project in ("lab", "other"):
                _ok(http.post("/api/v1/projects", json={"name": project}))
            for role, project in ROLES.items():
                _ok(http.post("/api/v1/users", json={"name": f"u-{role}"}))
                invite = {
                    "user": f"u-{role}",
                    "project": project,
                    "role": "viewer" if role == "outsider" else role,
                }
                join = _ok(http.post("/api/v1/team/invite", json=invite))
                ticket = join["invitation"]["join_command"].split("--ticket ")[1]
                joined = httpx.post(f"{info.url}/api/v1/team/join", json={"ticket": ticket})
                tokens[role] = _ok(joined)["token"]
            other = {"name": "theirs", "url": "s3://other-shared/runs", "read_only": True}
            _ok(http.post("/api/v1/projects/other/buckets", json=other))
            yield Team(http, info.url, tokens)
    finally:
        engine.close()
        Sandbox(tmp_path).stop()


def test_only_admins_attach_and_remove_and_members_see_their_projects_buckets(
    team: Team,
) -> None:
    body = {"name": "shared", "url": "s3://lab-shared/data", "read_only": False}
    for role in ("viewer", "member", "outsider"):
        with team.as_(role) as http:
            refused = http.post("/api/v1/projects/lab/buckets", json=body)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "PRISM_ACCESS_DENIED"
        assert f"u-{role}" in refused.json()["detail"]
    with team.as_("viewer") as http:
        assert (
            "project.bucket-add needs admin or above"
            in http.post("/api/v1/projects/lab/buckets", json=body).json()["detail"]
        )
    with team.as_("admin") as http:
        added = http.post("/api/v1/projects/lab/buckets", json=body)
    assert added.status_code == 201, added.text
    assert added.json()["bucket"]["added_by"] == "u-admin"

    seen = {}
    for role in ROLES:
        with team.as_(role) as http:
            seen[role] = [b["name"] for b in _ok(http.get("/api/v1/buckets"))["buckets"]]
            if ROLES[role] == "lab":
                listed = _ok(http.get("/api/v1/projects/lab/buckets"))["buckets"]
                assert [b["name"] for b in listed] == ["shared"]
    assert seen == {
        "admin": ["shared"],
        "member": ["shared"],
        "viewer": ["shared"],
        "outsider": ["theirs"],
    }
    everything = _ok(team.http.get("/api/v1/buckets"))["buckets"]
    assert sorted(b["name"] for b in everything) == ["shared", "theirs"]

    for role in ("viewer", "member"):
        with team.as_(role) as http:
            refused = http.delete("/api/v1/projects/lab/buckets/shared")
        assert refused.status_code == 403, refused.text
    with team.as_("admin") as http:
        removed = _ok(http.delete("/api/v1/projects/lab/buckets/shared"))
    assert removed["removed"] is True and removed["policy"] is None

    entries = _ok(team.http.get("/api/v1/audit", params={"last": 100}))["entries"]
    outcomes = [(e["who"], e["action"], e["outcome"]) for e in entries if "bucket" in e["action"]]
    assert ("u-admin", "project.bucket-add", "allowed") in outcomes
    assert ("u-viewer", "project.bucket-add", "refused") in outcomes
    assert ("u-admin", "project.bucket-remove", "allowed") in outcomes


def test_the_bucket_routes_are_typed(team: Team) -> None:
    paths = team.http.get("/openapi.json").json()["paths"]

    def schema(path: str, method: str, code: str) -> Any:
        reply = paths[path][method]["responses"][code]
        return reply["content"]["application/json"]["schema"]

    result = {"$ref": "#/components/schemas/BucketResult"}
    listing = {"$ref": "#/components/schemas/BucketList"}
    assert schema("/api/v1/projects/{name}/buckets", "post", "201") == result
    assert schema("/api/v1/projects/{name}/buckets/{bucket}", "delete", "200") == result
    assert schema("/api/v1/projects/{name}/buckets", "get", "200") == listing
    assert schema("/api/v1/buckets", "get", "200") == listing
    assert schema("/api/v1/projects/{name}/render", "post", "200") == {
        "$ref": "#/components/schemas/ScriptResult"
    }
