"""prismd's API for research users and their keys, team roles and tokens, the audit log and
project spaces. Who may call what is decided before these run (:mod:`prism.team.guard`).
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call
from prism.daemon.engine import Engine
from prism.data.buckets import ProjectBuckets
from prism.data.mounts import bucket_mount_lines
from prism.data.policy import bucket_policy
from prism.projects.model import PROJECT_NAME
from prism.records import Records
from prism.team.audit import AuditLog
from prism.team.guard import Caller, TeamGuard, operator_name
from prism.team.members import Team
from prism.team.model import (
    USER_NAME,
    AuditEntry,
    AuditList,
    Invitation,
    InviteResult,
    JoinResult,
    KeyResult,
    Role,
    TeamList,
    UserList,
    UserResult,
    WorkstationUsersResult,
)
from prism.team.project_templates import ProjectTemplates
from prism.team.setup import remove_user_lines, space_mount_lines, user_lines
from prism.team.space import Spaces
from prism.team.users import ResearchUsers
from prism.workstations.model import Workstation, WorkstationState

__all__ = [
    "JOIN_PATH",
    "TeamServices",
    "caller_of",
    "install",
    "router",
    "send_script",
    "services",
]

router = APIRouter(prefix="/api/v1")
JOIN_PATH = "/api/v1/team/join"
_ON = "workstation-users"


class _OnWorkstation(BaseModel):
    users: list[str]


@dataclass
class TeamServices:
    engine: Engine
    team: Team
    users: ResearchUsers
    spaces: Spaces
    audit: AuditLog
    templates: ProjectTemplates
    buckets: ProjectBuckets
    tls_fingerprint: str | None = None

    @property
    def records(self) -> Records:
        return self.engine.store.records

    def users_on(self, workstation: str) -> list[str]:
        found = self.records.get(_ON, workstation, _OnWorkstation)
        return found.users if found else []

    def set_users_on(self, workstation: str, users: list[str]) -> None:
        self.records.put(_ON, workstation, _OnWorkstation(users=users))

    def setup_stages(
        self, project: str | None, names: list[str]
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The setup-script stages a launch adds: the project's space, then research users,
        then its data buckets.
        """
        users = [self.users.get(n) for n in dict.fromkeys(names)]
        space = self.spaces.find(project) if project else None
        stages: list[tuple[str, tuple[str, ...]]] = []
        if space is not None:
            stages.append(("project_space", tuple(space_mount_lines(space, names))))
        if users:
            lines = [line for u in users for line in user_lines(u, space)]
            stages.append(("research_users", tuple(lines)))
        buckets = self.buckets.list(project) if project else []
        if buckets:
            stages.append(("data_buckets", tuple(bucket_mount_lines(buckets))))
        return tuple(stages)


def services(request: Request) -> TeamServices:
    found: TeamServices = request.app.state.team
    return found


def caller_of(request: Request) -> Caller:
    caller: Caller | None = request.scope.get("state", {}).get("caller")
    return caller or Caller(operator_name(), operator=True)


class UserBody(BaseModel):
    name: str = Field(pattern=USER_NAME)
    uid: int | None = None
    groups: list[str] = Field(default_factory=list)


class KeyBody(BaseModel):
    public_key: str = Field(max_length=16384)
    private_key_file: str | None = None


class InviteBody(BaseModel):
    user: str = Field(pattern=USER_NAME)
    project: str = Field(pattern=PROJECT_NAME)
    role: Role


class RevokeBody(BaseModel):
    user: str = Field(pattern=USER_NAME)
    project: str | None = Field(default=None, description="Every project when left out.")


class JoinBody(BaseModel):
    ticket: str = Field(min_length=8, max_length=200)


@router.get("/users", response_model=UserList)
async def list_users(request: Request) -> UserList:
    return UserList(users=services(request).users.list())


@router.post("/users", status_code=201, response_model=UserResult)
async def create_user(body: UserBody, request: Request) -> UserResult:
    found = services(request).users.create(
        body.name, uid=body.uid, groups=body.groups, by=caller_of(request).name
    )
    return UserResult(user=found)


@router.get("/users/{name}", response_model=UserResult)
async def get_user(name: str, request: Request) -> UserResult:
    return UserResult(user=services(request).users.get(name))


@router.delete("/users/{name}", response_model=UserResult)
async def delete_user(name: str, request: Request) -> UserResult:
    team = services(request)
    user = team.users.get(name)
    if team.team.projects_of(name):
        team.team.revoke(name, None)
    return UserResult(user=team.users.delete(user.name))


@router.get("/users/{name}/keys", response_model=UserResult)
async def list_keys(name: str, request: Request) -> UserResult:
    return UserResult(user=services(request).users.get(name))


@router.post("/users/{name}/keys", status_code=201, response_model=KeyResult)
async def add_key(name: str, body: KeyBody, request: Request) -> KeyResult:
    key = services(request).users.add_key(
        name, body.public_key, private_key_file=body.private_key_file
    )
    return KeyResult(user=name, key=key)


@router.delete("/users/{name}/keys", response_model=KeyResult)
async def remove_key(name: str, fingerprint: str, request: Request) -> KeyResult:
    return KeyResult(user=name, key=services(request).users.remove_key(name, fingerprint))


def _running(engine: Engine, name: str) -> Workstation:
    ws = engine.lifecycle.get(name)
    if ws.state is not WorkstationState.RUNNING or not ws.instance_id:
        raise ToolError(
            "PRISM_WORKSTATION_NOT_RUNNING",
            f"{name} is {ws.state}; changing its users needs it running.",
            suggestions=[f"Start it first: prism start {name}"],
            exit_code=ExitCode.CONFLICT,
        )
    return ws


def send_script(engine: Engine, ws: Workstation, lines: list[str], what: str) -> str:
    ssm = engine.session_for(ws).client("ssm")
    reply = aws_call(
        "SendCommand",
        ssm.send_command,
        InstanceIds=[ws.instance_id],
        DocumentName="AWS-RunShellScript",
        Comment=what[:100],
        Parameters={"commands": ["set -e", *lines]},
    )
    return str(reply["Command"]["CommandId"])


@router.post("/research-users/{user}/workstations/{name}", response_model=WorkstationUsersResult)
async def add_to(user: str, name: str, request: Request) -> WorkstationUsersResult:
    team = services(request)

    def add() -> WorkstationUsersResult:
        found = team.users.get(user)
        ws = _running(team.engine, name)
        space = team.spaces.find(ws.project) if ws.project else None
        lines = user_lines(found, space)
        if space is not None:
            lines = space_mount_lines(space, [user]) + lines
        command = send_script(team.engine, ws, lines, f"prism: add research user {user}")
        on = [*[u for u in team.users_on(name) if u != user], user]
        team.set_users_on(name, on)
        return WorkstationUsersResult(workstation=name, users=on, command_id=command)

    return await asyncio.to_thread(add)


@router.delete("/research-users/{user}/workstations/{name}", response_model=WorkstationUsersResult)
async def remove_from(user: str, name: str, request: Request) -> WorkstationUsersResult:
    team = services(request)

    def remove() -> WorkstationUsersResult:
        found = team.users.get(user)
        if user not in team.users_on(name):
            raise ToolError(
                "PRISM_USER_NOT_ON_WORKSTATION",
                f"{user} is not on {name}.",
                suggestions=[f"See who is: prism info {name}"],
                exit_code=ExitCode.CONFLICT,
            )
        ws = _running(team.engine, name)
        command = send_script(team.engine, ws, remove_user_lines(found), f"prism: remove {user}")
        on = [u for u in team.users_on(name) if u != user]
        team.set_users_on(name, on)
        return WorkstationUsersResult(workstation=name, users=on, command_id=command)

    return await asyncio.to_thread(remove)


@router.get("/research-users/on/{name}", response_model=WorkstationUsersResult)
async def users_on(name: str, request: Request) -> WorkstationUsersResult:
    return WorkstationUsersResult(workstation=name, users=services(request).users_on(name))


@router.get("/team", response_model=TeamList)
async def list_team(request: Request, project: str | None = None) -> TeamList:
    return TeamList(members=services(request).team.members(project))


@router.post("/team/invite", status_code=201, response_model=InviteResult)
async def invite(body: InviteBody, request: Request) -> InviteResult:
    team = services(request)
    team.engine.projects.get(body.project)
    team.users.get(body.user)
    by = caller_of(request).name
    member = team.team.set_role(body.user, body.project, body.role, by=by)
    ticket, expires = team.team.issue_ticket(body.user)
    url = str(request.base_url).rstrip("/")
    command = f"prism team join {shlex.quote(url)} --ticket {ticket}"
    if team.tls_fingerprint:
        command += f" --fingerprint {team.tls_fingerprint}"
    return InviteResult(
        invitation=Invitation(
            user=member.user,
            project=member.project,
            role=member.role,
            join_command=command,
            expires_at=expires,
        )
    )


@router.post("/team/revoke", response_model=TeamList)
async def revoke(body: RevokeBody, request: Request) -> TeamList:
    return TeamList(members=services(request).team.revoke(body.user, body.project))


@router.post(JOIN_PATH.removeprefix("/api/v1"), response_model=JoinResult)
async def join(body: JoinBody, request: Request) -> JoinResult:
    """Public: the ticket is the credential, spent on first use."""
    team = services(request)
    client = request.client
    source = f"{client.host}:{client.port}" if client else "unknown"
    try:
        user, token = team.team.redeem(body.ticket)
    except ToolError as exc:
        team.audit.write(_join_entry(team, "(unknown)", source, "refused", 403, exc.message))
        raise
    team.audit.write(_join_entry(team, user, source, "allowed", 200, ""))
    return JoinResult(
        user=user,
        url=str(request.base_url).rstrip("/"),
        token=token,
        fingerprint=team.tls_fingerprint,
    )


def _join_entry(
    team: TeamServices, user: str, source: str, outcome: str, status: int, reason: str
) -> AuditEntry:
    return AuditEntry(
        at=team.records.clock.now(),
        who=user,
        role="",
        action="team.join",
        target=user,
        source=source,
        outcome=outcome,
        status=status,
        reason=reason,
    )


@router.get("/audit", response_model=AuditList)
async def audit(request: Request, project: str | None = None, last: int = 100) -> AuditList:
    entries = await asyncio.to_thread(services(request).audit.read, project=project, last=last)
    return AuditList(entries=entries)


def install(app: FastAPI, engine: Engine, *, tls_fingerprint: str | None = None) -> None:
    """The routes, and the guard placed right before groundwork's token check."""
    from starlette.middleware import Middleware

    from groundwork.service.auth import AuthMiddleware

    records = engine.store.records
    team = TeamServices(
        engine=engine,
        team=Team(records),
        users=ResearchUsers(records),
        spaces=Spaces(records),
        audit=AuditLog(engine.home / "audit.jsonl"),
        templates=ProjectTemplates(engine.home, records),
        buckets=ProjectBuckets(records),
        tls_fingerprint=tls_fingerprint,
    )
    app.state.team = team
    engine.launcher.data_policy = lambda project: bucket_policy(team.buckets.list(project))
    app.include_router(router)
    # They read this module's services: imported once it is.
    from prism.daemon import buckets_api, project_templates_api, space_api

    app.include_router(space_api.router)
    app.include_router(project_templates_api.router)
    app.include_router(buckets_api.router)
    config = app.state.config
    guard = Middleware(
        TeamGuard,
        token=app.state.token,
        team=team.team,
        audit=team.audit,
        workstation=engine.store.get,
        public_paths=(*config.public_paths, JOIN_PATH),
    )
    stack = app.user_middleware
    where = next(i for i, m in enumerate(stack) if getattr(m, "cls", None) is AuthMiddleware)
    stack.insert(where, guard)
