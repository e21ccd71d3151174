"""Research users, their keys, team roles, invitations, the audit log and project spaces, as
prismd's REST API and `prism user|team|audit ... -o json` answer them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = [
    "USER_NAME",
    "AuditEntry",
    "AuditList",
    "Invitation",
    "InviteResult",
    "JoinResult",
    "KeyResult",
    "Member",
    "MemberResult",
    "Permission",
    "ResearchUser",
    "Role",
    "Space",
    "SpaceAccess",
    "SpaceResult",
    "SshKey",
    "TeamList",
    "UserList",
    "UserResult",
    "WorkstationUsersResult",
]

USER_NAME = r"^[a-z_][a-z0-9_-]{0,31}$"
"""A POSIX login name, as useradd accepts it everywhere."""


class Role(StrEnum):
    """Ordered: each role may do what the ones after it may."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {"owner": 3, "admin": 2, "member": 1, "viewer": 0}[self.value]


class Permission(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class SshKey(BaseModel):
    fingerprint: str = Field(description="SHA256:..., as ssh-keygen -l prints it.")
    public_key: str
    comment: str = ""
    added_at: datetime
    private_key_file: str | None = Field(
        default=None, description="Where --generate left the private key (on prismd's machine)."
    )


class ResearchUser(BaseModel):
    name: str = Field(pattern=USER_NAME)
    uid: int = Field(description="The same on every workstation; never given to anyone else.")
    gid: int = Field(description="The user's own group, numbered as its UID.")
    groups: list[str] = Field(default_factory=list)
    created_at: datetime
    created_by: str
    keys: list[SshKey] = Field(default_factory=list)


class UserResult(BaseModel):
    user: ResearchUser


class UserList(BaseModel):
    users: list[ResearchUser]


class KeyResult(BaseModel):
    user: str
    key: SshKey


class Member(BaseModel):
    user: str
    project: str
    role: Role
    since: datetime
    by: str


class MemberResult(BaseModel):
    member: Member
    revoked: bool = False


class TeamList(BaseModel):
    members: list[Member]


class Invitation(BaseModel):
    user: str
    project: str
    role: Role
    join_command: str = Field(description="Run once by the invited user: it trades its ticket.")
    expires_at: datetime


class InviteResult(BaseModel):
    invitation: Invitation


class JoinResult(BaseModel):
    """What the join trades a ticket for: the user's own API token (shown once)."""

    user: str
    url: str
    token: str
    fingerprint: str | None = Field(default=None, description="The daemon's TLS certificate.")


class AuditEntry(BaseModel):
    at: datetime
    who: str
    role: str = Field(description="The caller's role in the project, or 'operator'.")
    action: str = Field(description="What was asked, e.g. workstation.stop or team.invite.")
    target: str = ""
    project: str | None = None
    source: str = Field(description="The client's address.")
    outcome: str = Field(description="allowed, refused, or failed with the HTTP status.")
    status: int
    reason: str = ""


class AuditList(BaseModel):
    entries: list[AuditEntry] = Field(description="The newest first.")


class SpaceAccess(BaseModel):
    user: str
    uid: int
    permission: Permission
    access_point_id: str
    directory: str


class Space(BaseModel):
    project: str
    file_system_id: str
    volume: str
    team_access_point_id: str
    group: str = Field(description="The project's group: members with write or admin are in it.")
    group_id: int
    mount_point: str = Field(description="Where every workstation of the project mounts it.")
    users: list[SpaceAccess]


class SpaceResult(BaseModel):
    space: Space
    simulated: bool = False
    mounted_on: dict[str, str] = Field(
        default_factory=dict,
        description="Running workstations of the project it was mounted on now, each with the"
        " SSM command that did it.",
    )


class WorkstationUsersResult(BaseModel):
    workstation: str
    users: list[str] = Field(description="The research users on it now.")
    command_id: str | None = Field(default=None, description="The SSM command that did it.")
    notice: str | None = None
