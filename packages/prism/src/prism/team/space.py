"""A project's shared space: one EFS volume, a ``team/`` directory for the project's group, and
one access point per member whose directory (``users/NAME``) is owned by their UID.

Access points enforce the identity: whatever UID a process has on a workstation, what it
writes through a user's access point is that user's. Permissions per user: read (``team/``
read-only, not in the project's group), write (in the group: ``team/`` read-write), admin (as
write, and their directory is open to the group to read, for handing work over).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud import storage
from prism.cloud.errors import aws_call
from prism.records import Records
from prism.team.model import Permission, ResearchUser, Role, Space, SpaceAccess
from prism.team.setup import SPACE_ROOT

__all__ = ["DEFAULT_PERMISSION", "Spaces", "group_name"]

_SPACE = "project-space"
TAG_USER = "prism:user"
TAG_PERMISSION = "prism:permission"

DEFAULT_PERMISSION = {
    Role.OWNER: Permission.ADMIN,
    Role.ADMIN: Permission.ADMIN,
    Role.MEMBER: Permission.WRITE,
    Role.VIEWER: Permission.READ,
}


def group_name(project: str) -> str:
    return f"prism-{project}"[:32]


class Spaces:
    def __init__(self, records: Records) -> None:
        self.records = records

    def find(self, project: str) -> Space | None:
        return self.records.get(_SPACE, project, Space)

    def get(self, project: str) -> Space:
        found = self.find(project)
        if found is None:
            raise ToolError(
                "PRISM_SPACE_NOT_FOUND",
                f"Project {project} has no shared space.",
                suggestions=[f"Create it: prism project space create {project}"],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def ensure(
        self,
        efs: Any,
        ec2: Any,
        project: str,
        *,
        group_id: int,
        members: Sequence[tuple[ResearchUser, Permission]],
    ) -> tuple[Space, list[str]]:
        """The space, made on first call; each call adds access points for members that have
        none (invited since). Returns it and the users given an access point now.
        """
        space = self.find(project)
        if space is not None and not any(v.name == space.volume for v in storage.list_volumes(efs)):
            space = None  # its volume was deleted (with `prism volume delete`): made anew
        if space is None:
            volume = f"space-{project}"
            storage.create_volume(efs, ec2, volume, project=project)
            fs_id = storage.find_volume(efs, volume).file_system_id
            team = _access_point(
                efs, fs_id, "/team", owner=(0, group_id), mode="2775", user=None, tag="team"
            )
            space = Space(
                project=project,
                file_system_id=fs_id,
                volume=volume,
                team_access_point_id=team,
                group=group_name(project),
                group_id=group_id,
                mount_point=f"{SPACE_ROOT}/{project}",
                users=[],
            )
        have = {a.user for a in space.users}
        added: list[str] = []
        for user, permission in members:
            if user.name in have:
                continue
            mode = "2750" if permission is Permission.ADMIN else "0700"
            point = _access_point(
                efs,
                space.file_system_id,
                f"/users/{user.name}",
                owner=(user.uid, user.gid),
                mode=mode,
                user=user,
                tag=permission.value,
            )
            space.users.append(
                SpaceAccess(
                    user=user.name,
                    uid=user.uid,
                    permission=permission,
                    access_point_id=point,
                    directory=f"users/{user.name}",
                )
            )
            added.append(user.name)
        self.records.put(_SPACE, project, space)
        return space, added

    def permissions(self, project: str) -> Mapping[str, Permission]:
        space = self.find(project)
        return {a.user: a.permission for a in space.users} if space else {}


def _access_point(
    efs: Any,
    file_system_id: str,
    path: str,
    *,
    owner: tuple[int, int],
    mode: str,
    user: ResearchUser | None,
    tag: str,
) -> str:
    tags = [{"Key": TAG_PERMISSION, "Value": tag}]
    arguments: dict[str, Any] = {}
    if user is not None:
        tags.append({"Key": TAG_USER, "Value": user.name})
        arguments["PosixUser"] = {"Uid": user.uid, "Gid": user.gid}
    reply = aws_call(
        "CreateAccessPoint",
        efs.create_access_point,
        FileSystemId=file_system_id,
        RootDirectory={
            "Path": path,
            "CreationInfo": {"OwnerUid": owner[0], "OwnerGid": owner[1], "Permissions": mode},
        },
        Tags=tags,
        **arguments,
    )
    return str(reply["AccessPointId"])
