"""prismd's gate for team members: who is calling (the operator's token or a member's), whether
their role in the project lets them, and the audit line of every shared-resource action.

It runs inside groundwork's origin check and rate limit and before its token check: a member's
valid token is swapped for prismd's own, so groundwork's check passes it; any other token is
left for groundwork to refuse (401).
"""

from __future__ import annotations

import asyncio
import getpass
import hmac
import json
import os
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundwork.service.problems import problem, problem_response
from prism.team.access import Verb, refusal
from prism.team.audit import AuditLog
from prism.team.members import Team
from prism.team.model import AuditEntry, Role
from prism.team.routes import Call, Locate, classify
from prism.workstations.model import Workstation

__all__ = ["MEMBER_COOKIE", "OPERATOR_ROLE", "Caller", "TeamGuard", "operator_name"]

OPERATOR_ROLE = "operator"
MEMBER_COOKIE = "prismd_member"
"""A member's browser holds their token here (the dashboard's member login sets it)."""
# The lists a member sees cut to their own projects: path -> the key of the list in the reply.
_LISTINGS = {
    "/api/v1/workstations": "workstations",
    "/api/v1/volumes": "volumes",
    "/api/v1/storage": "disks",
    "/api/v1/snapshots": "snapshots",
    "/api/v1/idle/status": "statuses",
    "/api/v1/buckets": "buckets",
}
_COSTS = "/api/v1/cost"
_BODY_CAP = 1024 * 1024


def operator_name() -> str:
    """Who runs prismd: PRISM_USER, else the login name (a container's user may have none)."""
    given = os.environ.get("PRISM_USER", "").strip()
    if given:
        return given
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid-{os.getuid()}"


@dataclass(frozen=True)
class Caller:
    name: str
    operator: bool
    token: str = field(default="", repr=False, compare=False)
    """What a member presented (the dashboard's member login hands it to their browser)."""


@dataclass
class _Decision:
    project: str | None = None
    target: str = ""
    role: str = ""
    reason: str | None = None


class TeamGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        team: Team,
        audit: AuditLog,
        workstation: Any,
        public_paths: tuple[str, ...],
    ) -> None:
        """``workstation`` looks a workstation up by name (None when unknown)."""
        self.app = app
        self.token = token
        self.team = team
        self.audit = audit
        self.workstation = workstation
        self.public_paths = public_paths
        self.operator = operator_name()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public_paths:
            await self.app(scope, receive, send)
            return
        caller = self._caller(scope)
        if caller is None:
            await self.app(scope, receive, send)  # groundwork answers 401
            return
        scope.setdefault("state", {})["caller"] = caller
        call = classify(scope["method"], scope["path"])
        body: dict[str, Any] = {}
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            raw = await _read_body(receive)
            if raw is None:
                await self._refuse(scope, receive, send, 413, "The request body is too large.")
                return
            receive = _replay(raw, receive)
            body = _json(raw)
        decision = await self._decide(scope, caller, call, body)
        if decision.reason is not None:
            self._write(scope, caller, call, decision, 403)
            await self._refuse(scope, receive, send, 403, decision.reason, call)
            return
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        onward: Send = send_status
        listing = _LISTINGS.get(scope["path"]) if scope["method"] == "GET" else None
        if not caller.operator and listing is not None:
            onward = self._only_their_projects(caller, listing, send_status)
        try:
            await self.app(scope, receive, onward)
        finally:
            if scope["method"] not in ("GET", "HEAD"):
                self._after(caller, call, decision, body, status)
                self._write(scope, caller, call, decision, status)

    def _only_their_projects(self, caller: Caller, key: str, send: Send) -> Send:
        """A list as a member sees it: the items of the projects they have a role in (an idle
        status by its workstation's project); the operator's own, in no project, are not theirs.
        """
        theirs = set(self.team.projects_of(caller.name))
        start: Message | None = None
        chunks: list[bytes] = []

        async def filtered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            assert start is not None
            if start["status"] == 200:
                listing = json.loads(body)
                listing[key] = [
                    item for item in listing[key] if await self._project_of(item) in theirs
                ]
                body = json.dumps(listing).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        return filtered

    async def _project_of(self, item: dict[str, Any]) -> str | None:
        if "project" in item:
            return _text(item["project"])
        found: Workstation | None = await asyncio.to_thread(self.workstation, item["workstation"])
        return found.project if found is not None else None

    def _caller(self, scope: Scope) -> Caller | None:
        presented = _bearer(scope) or _member_cookie(scope)
        if presented is None:
            return None
        if hmac.compare_digest(presented.encode(), self.token.encode()):
            return Caller(self.operator, operator=True)
        user = self.team.holder_of(presented)
        if user is None:
            return None
        headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
        scope["headers"] = [*headers, (b"authorization", f"Bearer {self.token}".encode())]
        return Caller(user, operator=False, token=presented)

    async def _decide(
        self, scope: Scope, caller: Caller, call: Call, body: dict[str, Any]
    ) -> _Decision:
        decision = _Decision(target=call.target)
        own = False
        workstation = ""
        if call.locate is Locate.WORKSTATION_PATH:
            workstation = call.target.rpartition("@")[2]
        elif call.locate is Locate.WORKSTATION_BODY:
            workstation = str(body.get("workstation") or "")
            decision.target = f"{call.target}@{workstation}"
        elif call.locate is Locate.LAUNCH_BODY:
            decision.project = _text(body.get("project"))
            decision.target = str(body.get("name") or "")
            own = True
        elif call.locate is Locate.PROJECT_PATH:
            decision.project = call.target
        elif call.locate is Locate.PROJECT_BODY:
            decision.project = _text(body.get("project"))
        elif call.locate is Locate.PROJECT_QUERY:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            decision.project = (query.get("project") or [None])[0]
        elif call.locate is Locate.USER_PATH:
            own = call.target == caller.name
        if call.action == "project.create":
            decision.project = str(body.get("name") or "")
        if not decision.target:
            decision.target = str(body.get("user") or body.get("name") or "")
        if workstation:
            found: Workstation | None = await asyncio.to_thread(self.workstation, workstation)
            if found is not None:
                decision.project = found.project
                own = (self.team.launcher_of(workstation) or self.operator) == caller.name
        if caller.operator:
            decision.role = OPERATOR_ROLE
            return decision
        role = self._role(caller.name, decision.project)
        decision.role = role.value if role else "none"
        if call.verb is None:
            decision.reason = (
                f"{caller.name} is a team member; only prismd's operator may {call.action}."
            )
        elif call.verb is Verb.LAUNCH and decision.project is None:
            decision.reason = (
                f"{caller.name} is a team member: their workstations belong to a project;"
                " launch with --project P."
            )
        elif call.verb is Verb.AUDIT and decision.project is None:
            decision.reason = f"{caller.name} may read the audit log of one project: --project P."
        elif call.action == "cost.read" and decision.project is None:
            decision.reason = (
                f"{caller.name} is a team member: they see the costs of one of their projects"
                " at a time: prism cost --project P."
            )
        else:
            decision.reason = refusal(
                caller.name, role, decision.project, call.verb, own, call.action
            )
        return decision

    def _role(self, user: str, project: str | None) -> Role | None:
        if project is not None:
            return self.team.role_of(user, project)
        roles = self.team.projects_of(user).values()
        return max(roles, key=lambda r: r.rank) if roles else None

    def _after(
        self, caller: Caller, call: Call, decision: _Decision, body: dict[str, Any], status: int
    ) -> None:
        if status >= 300:
            return
        if call.action == "workstation.launch" and not body.get("dry_run"):
            self.team.launched(decision.target, caller.name)
        elif call.action == "project.create" and decision.project:
            self.team.set_role(caller.name, decision.project, Role.OWNER, by=caller.name)

    def _write(
        self, scope: Scope, caller: Caller, call: Call, decision: _Decision, status: int
    ) -> None:
        client = scope.get("client")
        outcome = "refused" if status == 403 else "allowed" if status < 400 else "failed"
        self.audit.write(
            AuditEntry(
                at=self.team.records.clock.now(),
                who=caller.name,
                role=decision.role,
                action=call.action,
                target=decision.target,
                project=decision.project,
                source=f"{client[0]}:{client[1]}" if client else "unknown",
                outcome=outcome,
                status=status,
                reason=decision.reason or "",
            )
        )

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        reason: str,
        call: Call | None = None,
    ) -> None:
        suggestions = (
            ["Ask an owner or admin of the project for a role that allows it (prism team list)."]
            if status == 403
            else ["Send a smaller request."]
        )
        error = problem(
            status,
            "PRISM_ACCESS_DENIED" if status == 403 else "PRISM_REQUEST_TOO_LARGE",
            f"Refused: {reason}",
            suggestions,
            context={"action": call.action} if call else None,
        )
        await problem_response(error, scope)(scope, receive, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            scheme, _, credential = text.partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                return credential.strip()
    return None


def _member_cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001, S112 - a malformed cookie is simply absent
                continue
            morsel = jar.get(MEMBER_COOKIE)
            if morsel is not None and morsel.value:
                return str(morsel.value)
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        found = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _BODY_CAP:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(raw: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay
