"""The shell lines that put research users and a project's shared space on a workstation: at
first boot (stages of the setup script) and on a running one (SSM's AWS-RunShellScript).

Every line is safe to run again: a user that exists keeps its UID, a mounted space stays.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from prism.team.model import Permission, ResearchUser, Space, SpaceAccess

__all__ = [
    "SPACE_ROOT",
    "home_of",
    "remove_user_lines",
    "space_mount_lines",
    "user_lines",
]

SPACE_ROOT = "/shared"


def _access_of(user: ResearchUser, space: Space | None) -> SpaceAccess | None:
    found = [a for a in space.users if a.user == user.name] if space else []
    return found[0] if found else None


def home_of(user: ResearchUser, space: Space | None) -> str:
    """On the project's space when there is one, so it follows the user to every workstation."""
    if space is not None and _access_of(user, space) is not None:
        return f"{space.mount_point}/users/{user.name}"
    return f"/home/{user.name}"


def user_lines(user: ResearchUser, space: Space | None) -> list[str]:
    name = shlex.quote(user.name)
    home = shlex.quote(home_of(user, space))
    lines = [
        f"getent group {name} >/dev/null || groupadd -g {user.gid} {name}",
        f"id -u {name} >/dev/null 2>&1 || useradd -m -u {user.uid} -g {user.gid}"
        f" -d {home} -s /bin/bash {name}",
    ]
    for group in user.groups:
        g = shlex.quote(group)
        lines += [f"getent group {g} >/dev/null || groupadd {g}", f"usermod -aG {g} {name}"]
    access = _access_of(user, space)
    if space is not None and access is not None and access.permission is not Permission.READ:
        g = shlex.quote(space.group)
        lines += [
            f"getent group {g} >/dev/null || groupadd -g {space.group_id} {g}",
            f"usermod -aG {g} {name}",
        ]
    keys = "\n".join(k.public_key + (f" {k.comment}" if k.comment else "") for k in user.keys)
    lines += [
        f"install -d -m 700 -o {user.uid} -g {user.gid} {home}/.ssh",
        f"printf '%s\\n' {shlex.quote(keys)} > {home}/.ssh/authorized_keys",
        f"chown {user.uid}:{user.gid} {home}/.ssh/authorized_keys",
        f"chmod 600 {home}/.ssh/authorized_keys",
    ]
    return lines


def remove_user_lines(user: ResearchUser) -> list[str]:
    """The account goes; its home stays (on a shared space it is the user's work)."""
    name = shlex.quote(user.name)
    return [f"pkill -u {name} || true", f"id -u {name} >/dev/null 2>&1 && userdel {name} || true"]


def _mount(space: Space, access_point: str, point: str) -> list[str]:
    options = f"_netdev,tls,iam,accesspoint={access_point}"
    quoted = shlex.quote(point)
    entry = shlex.quote(f"{space.file_system_id}:/ {point} efs {options},nofail 0 0")
    return [
        f"mkdir -p {quoted}",
        f"grep -qsF {shlex.quote(f' {point} efs ')} /etc/fstab || echo {entry} >> /etc/fstab",
        f"mountpoint -q {quoted} || mount {quoted}",
    ]


def space_mount_lines(space: Space, users: Sequence[str] | None = None) -> list[str]:
    """The team directory (writable by the project's group: write and admin permission), and
    each user's own directory through their access point; ``users`` limits it to those on this
    workstation.
    """
    lines = [
        "command -v mount.efs >/dev/null || { (apt-get install -y amazon-efs-utils"
        " || dnf install -y amazon-efs-utils) >/dev/null 2>&1 || true; }",
    ]
    lines += _mount(space, space.team_access_point_id, f"{space.mount_point}/team")
    for access in space.users:
        if users is not None and access.user not in users:
            continue
        lines += _user_mount(space, access)
    return lines


def _user_mount(space: Space, access: SpaceAccess) -> list[str]:
    point = f"{space.mount_point}/users/{access.user}"
    return _mount(space, access.access_point_id, point)
