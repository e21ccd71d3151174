"""The access matrix: every role against every API verb, over HTTP, each role with its own
token from a real invite and join. prismd runs in-process over the sandbox's AWS emulator; each
allowed call must succeed, each refused one is 403 with the reason, and lands in the audit log.
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
from prism.team.access import table_markdown

README = Path(__file__).parents[2] / "README.md"
ROLES = ("owner", "admin", "member", "viewer", "outsider")
LAB = {"owner", "admin", "member", "viewer"}
OPERATOR = "opal"
LAB_TEMPLATE = """name: Lab environment {r}
slug: lab-env{r}
description: The lab's own workstation.
base: ubuntu-22.04
packages:
  system: [htop]
"""


def _public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = Ed25519PrivateKey.generate().public_key()
    line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return line.decode()


@dataclass
class Matrix:
    http: httpx.Client
    url: str
    tokens: dict[str, str]
    app: Any

    def as_(self, role: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=120,
        )

    def launch(self, name: str) -> None:
        body = {"template": "ubuntu-server", "name": name, "project": "lab", "idle": False}
        reply = self.http.post("/api/v1/workstations", json=body)
        assert reply.status_code == 202, reply.text
        # Followed to its end, as the CLI does: one launch at a time, each running before use.
        with self.http.stream("GET", f"/api/v1/workstations/{name}/progress") as events:
            last = [line for line in events.iter_lines() if line.startswith("event:")][-1]
        assert last == "event: result", last


def _ok(reply: httpx.Response) -> httpx.Response:
    assert reply.status_code < 300, reply.text
    return reply


@pytest.fixture
def matrix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Matrix]:
    monkeypatch.setenv("PRISM_DAEMON_PORT", "0")
    monkeypatch.setenv("PRISM_USER", OPERATOR)
    monkeypatch.setenv("PRISM_DAEMON_RATE_BURST", "2000")
    app, engine = build(tmp_path)
    operator = {"Authorization": f"Bearer {app.state.token}"}
    try:
        with (
            running_service(app, app.state.config) as info,
            httpx.Client(base_url=info.url, headers=operator, timeout=120) as http,
        ):
            for project in ("lab", "other"):
                _ok(http.post("/api/v1/projects", json={"name": project}))
            tokens = {}
            for role in ROLES:
                _ok(http.post("/api/v1/users", json={"name": f"u-{role}"}))
                invite = {
                    "user": f"u-{role}",
                    "project": "other" if role == "outsider" else "lab",
                    "role": "viewer" if role == "outsider" else role,
                }
                command = _ok(http.post("/api/v1/team/invite", json=invite)).json()
                ticket = command["invitation"]["join_command"].split("--ticket ")[1]
                joined = httpx.post(f"{info.url}/api/v1/team/join", json={"ticket": ticket})
                tokens[role] = _ok(joined).json()["token"]
            _ok(http.post("/api/v1/users", json={"name": "spare"}))
            own = {"yaml": LAB_TEMPLATE.replace("{r}", ""), "replace": False}
            _ok(http.post("/api/v1/projects/lab/templates", json=own))
            _ok(http.post("/api/v1/volumes", json={"name": "shared"}))
            yield Matrix(http, info.url, tokens, app)
    finally:
        engine.close()
        Sandbox(tmp_path).stop()


# Each verb: (method, path, body) for a role, and the roles that may; in this order (mounting
# needs the workstation running, before the stops). {r} is the role.
VERBS: dict[str, tuple[str, str, dict[str, Any] | None, set[str]]] = {
    "list workstations": ("GET", "/api/v1/workstations", None, {*ROLES}),
    "see a workstation": ("GET", "/api/v1/workstations/theirs-{r}", None, LAB),
    "see the project": ("GET", "/api/v1/projects/lab", None, LAB),
    "see the project's costs": ("GET", "/api/v1/cost?project=lab", None, LAB),
    "see every project's costs (operator's)": ("GET", "/api/v1/cost", None, set()),
    "launch": (
        "POST",
        "/api/v1/workstations",
        {"template": "ubuntu-server", "name": "new-{r}", "project": "lab", "idle": False},
        {"owner", "admin", "member"},
    ),
    "mount a volume on anyone's": (
        "POST",
        "/api/v1/volumes/shared/mount",
        {"workstation": "theirs-{r}"},
        {"owner", "admin"},
    ),
    "add a research user to their own": (
        "POST",
        "/api/v1/research-users/u-{r}/workstations/mine-{r}",
        None,
        {"owner", "admin", "member"},
    ),
    "stop own": ("POST", "/api/v1/workstations/mine-{r}/stop", None, {"owner", "admin", "member"}),
    "stop anyone's": ("POST", "/api/v1/workstations/theirs-{r}/stop", None, {"owner", "admin"}),
    "delete anyone's": ("DELETE", "/api/v1/workstations/gone-{r}", None, {"owner", "admin"}),
    "launch the project's template": (
        "POST",
        "/api/v1/workstations",
        {"template": "lab-env", "name": "env-{r}", "project": "lab", "idle": False},
        {"owner", "admin", "member"},
    ),
    "edit the project's templates": (
        "POST",
        "/api/v1/projects/lab/templates",
        {"yaml": LAB_TEMPLATE.replace("{r}", "-{r}"), "replace": True},
        {"owner", "admin"},
    ),
    "remove a project template": (
        "DELETE",
        "/api/v1/projects/lab/templates/lab-env-{r}",
        None,
        {"owner", "admin"},
    ),
    "set budget": (
        "PUT",
        "/api/v1/projects/lab/budget",
        {"budget": None},
        {"owner", "admin"},
    ),
    "create space": ("POST", "/api/v1/projects/lab/space", {}, {"owner", "admin"}),
    "create user": ("POST", "/api/v1/users", {"name": "made-by-{r}"}, {"owner", "admin"}),
    "add own key": (
        "POST",
        "/api/v1/users/u-{r}/keys",
        {"public_key": "{key}"},
        {*ROLES},
    ),
    "add someone's key": (
        "POST",
        "/api/v1/users/spare/keys",
        {"public_key": "{key}"},
        {"owner", "admin"},
    ),
    "invite": (
        "POST",
        "/api/v1/team/invite",
        {"user": "spare", "project": "lab", "role": "viewer"},
        {"owner"},
    ),
    "read audit": ("GET", "/api/v1/audit?project=lab", None, {"owner", "admin"}),
    "create project (operator's)": ("POST", "/api/v1/projects", {"name": "p-{r}"}, set()),
    "create idle policy (operator's)": (
        "POST",
        "/api/v1/idle/policies",
        {"name": "quiet-{r}", "idle_minutes": 30},
        set(),
    ),
}


def _fill(value: Any, role: str) -> Any:
    """The role's names in a request, and a new key wherever one is sent."""
    if value == "{key}":
        return _public_key()
    if isinstance(value, str):
        return value.replace("{r}", role)
    if isinstance(value, dict):
        return {k: _fill(v, role) for k, v in value.items()}
    return value


@pytest.mark.timeout(300)
def test_every_role_against_every_verb(matrix: Matrix) -> None:
    for role in ROLES:
        matrix.launch(f"theirs-{role}")
        matrix.launch(f"gone-{role}")
        matrix.launch(f"mine-{role}")
        # As if launched by them (a viewer: launched while a member, since demoted).
        matrix.app.state.team.team.launched(f"mine-{role}", f"u-{role}")
    outcomes: dict[tuple[str, str], int] = {}
    wrong = []
    for role in ROLES:
        with matrix.as_(role) as http:
            for verb, (method, path, body, allowed) in VERBS.items():
                reply = http.request(method, _fill(path, role), json=_fill(body, role))
                outcomes[(role, verb)] = reply.status_code
                if role in allowed and reply.status_code >= 300:
                    wrong.append((role, verb, "refused or failed", reply.status_code, reply.text))
                elif role not in allowed:
                    problem = reply.json()
                    if reply.status_code != 403 or problem.get("code") != "PRISM_ACCESS_DENIED":
                        wrong.append((role, verb, "not refused", reply.status_code, reply.text))
                    elif f"u-{role}" not in problem["detail"]:
                        wrong.append((role, verb, "no reason", reply.status_code, reply.text))
    assert wrong == []
    # A list shows the workstations of the caller's projects only.
    for role, seen in (("viewer", True), ("outsider", False)):
        with matrix.as_(role) as http:
            listed = http.get("/api/v1/workstations").json()["workstations"]
        assert bool(listed) is seen
        assert all(w["project"] == "lab" for w in listed)
        with matrix.as_(role) as http:
            statuses = http.get("/api/v1/idle/status").json()["statuses"]
            volumes = http.get("/api/v1/volumes").json()["volumes"]
        assert {s["workstation"] for s in statuses} == {w["name"] for w in listed}
        # lab's space is lab's; the operator's volume belongs to no project, so to no member.
        assert [v["name"] for v in volumes] == (["space-lab"] if seen else [])
    everything = matrix.http.get("/api/v1/volumes").json()["volumes"]
    assert sorted(v["name"] for v in everything) == ["shared", "space-lab"]
    # The refusals name the role held and the one needed.
    with matrix.as_("viewer") as http:
        detail = http.post("/api/v1/workstations/theirs-viewer/stop").json()["detail"]
    assert detail == (
        "Refused: u-viewer is a viewer of lab; workstation.stop needs admin or above"
        " (member or above for their own)."
    )
    refused = [
        e
        for e in matrix.http.get("/api/v1/audit", params={"last": 1000}).json()["entries"]
        if e["outcome"] == "refused"
    ]
    expected = sum(1 for (role, verb), code in outcomes.items() if code == 403) + 1
    assert len(refused) == expected
    assert {e["who"] for e in refused} == {f"u-{r}" for r in ROLES}


def test_a_token_stops_working_when_its_last_role_is_revoked(matrix: Matrix) -> None:
    with matrix.as_("member") as http:
        assert http.get("/api/v1/workstations").status_code == 200
        _ok(matrix.http.post("/api/v1/team/revoke", json={"user": "u-member"}))
        reply = http.get("/api/v1/workstations")
    assert reply.status_code == 401
    assert reply.json()["code"] == "GROUNDWORK_AUTH_REQUIRED"


def test_a_join_ticket_works_once(matrix: Matrix) -> None:
    invite = {"user": "spare", "project": "lab", "role": "viewer"}
    command = _ok(matrix.http.post("/api/v1/team/invite", json=invite)).json()
    ticket = command["invitation"]["join_command"].split("--ticket ")[1]
    assert httpx.post(f"{matrix.url}/api/v1/team/join", json={"ticket": ticket}).status_code == 200
    again = httpx.post(f"{matrix.url}/api/v1/team/join", json={"ticket": ticket})
    assert again.status_code == 403
    assert again.json()["code"] == "PRISM_TICKET_INVALID"


def test_a_projects_template_is_launched_only_into_the_project(matrix: Matrix) -> None:
    body = {"template": "lab-env", "name": "stray", "idle": False}
    reply = matrix.http.post("/api/v1/workstations", json=body)
    assert reply.status_code == 404
    assert reply.json()["code"] == "PRISM_TEMPLATE_NOT_FOUND"
    broken = {"yaml": "name: [unclosed", "replace": False}
    refused = matrix.http.post("/api/v1/projects/lab/templates", json=broken)
    assert (refused.status_code, refused.json()["code"]) == (400, "PRISM_TEMPLATE_INVALID")
    listed = matrix.http.get("/api/v1/projects/lab/templates").json()["templates"]
    assert [(t["slug"], t["updated_by"]) for t in listed] == [("lab-env", OPERATOR)]


def test_the_readme_shows_the_table_prismd_enforces() -> None:
    assert table_markdown() in README.read_text(encoding="utf-8")


@pytest.mark.timeout(300)
def test_members_launching_at_once_each_get_their_workstation(matrix: Matrix) -> None:
    """The first launches of a fresh prismd, at once: the security group, its rules and the
    SSH key are made once, not raced (a refused duplicate failed a launch before).
    """
    from concurrent.futures import ThreadPoolExecutor

    def launch(role: str, n: int) -> str:
        body = {"template": "ubuntu-server", "name": f"at-once-{role}-{n}", "project": "lab"}
        with matrix.as_(role) as http:
            accepted = http.post("/api/v1/workstations", json={**body, "idle": False})
            assert accepted.status_code == 202, accepted.text
            with http.stream("GET", f"/api/v1/workstations/{body['name']}/progress") as events:
                lines = list(events.iter_lines())
        return [line for line in lines if line.startswith("event:")][-1] + " " + lines[-2]

    jobs = [(role, n) for role in ("owner", "admin", "member") for n in range(3)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        ended = list(pool.map(lambda job: launch(*job), jobs))
    assert all(e.startswith("event: result") for e in ended), ended
