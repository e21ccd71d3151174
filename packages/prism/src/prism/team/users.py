"""Research users and their SSH keys, kept in prism.db beside the projects.

A UID is allocated once: the ledger of every UID ever given outlives the user, so a deleted
user's files on a shared volume never become someone else's.
"""

from __future__ import annotations

import base64
import builtins
import hashlib

from pydantic import BaseModel

from groundwork.errors import ExitCode, ToolError
from prism.records import Records
from prism.team.model import ResearchUser, SshKey

__all__ = ["FIRST_UID", "LAST_UID", "ResearchUsers", "fingerprint_of"]

FIRST_UID = 2001
"""Above the distributions' system and first-login ranges, so it clashes with no image's user."""
LAST_UID = 59999

_USER = "research-user"
_UID = "uid-allocated"
_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384")


class _Allocation(BaseModel):
    user: str


def fingerprint_of(public_key: str) -> str:
    """SHA256:... of an OpenSSH public key line, as ssh-keygen -l prints it."""
    parts = public_key.split()
    if len(parts) < 2 or parts[0] not in _KEY_TYPES:
        raise _bad_key(f"it does not start with one of {', '.join(_KEY_TYPES)}")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError as exc:
        raise _bad_key("its key material is not base64") from exc
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def _bad_key(why: str) -> ToolError:
    return ToolError(
        "PRISM_KEY_INVALID",
        f"That is not an OpenSSH public key: {why}.",
        suggestions=[
            "Give the .pub file (one line: 'ssh-ed25519 AAAA... comment').",
            "Or let prism make one: prism user key add NAME --generate",
        ],
        exit_code=ExitCode.USAGE,
    )


class ResearchUsers:
    def __init__(self, records: Records) -> None:
        self.records = records

    def list(self) -> builtins.list[ResearchUser]:
        return sorted(self.records.all(_USER, ResearchUser).values(), key=lambda u: u.uid)

    def find(self, name: str) -> ResearchUser | None:
        return self.records.get(_USER, name, ResearchUser)

    def get(self, name: str) -> ResearchUser:
        found = self.find(name)
        if found is None:
            known = [u.name for u in self.list()]
            raise ToolError(
                "PRISM_USER_NOT_FOUND",
                f"No research user named {name!r}.",
                suggestions=[
                    f"Create it: prism user create {name}",
                    f"Or use one of: {', '.join(known)}" if known else "See them: prism user list",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def create(
        self, name: str, *, uid: int | None, groups: builtins.list[str], by: str
    ) -> ResearchUser:
        if self.find(name) is not None:
            raise ToolError(
                "PRISM_USER_EXISTS",
                f"A research user named {name!r} exists already.",
                suggestions=[f"See it: prism user info {name}", "Or choose another name."],
                exit_code=ExitCode.CONFLICT,
            )
        allocated = self.records.all(_UID, _Allocation)
        if uid is None:
            uid = max([FIRST_UID - 1, *(int(k) for k in allocated)]) + 1
        elif str(uid) in allocated:
            raise ToolError(
                "PRISM_UID_TAKEN",
                f"UID {uid} was given to {allocated[str(uid)].user} and is never given again"
                " (their files on shared volumes still carry it).",
                suggestions=["Leave --uid out: prism picks the next UID never used."],
                exit_code=ExitCode.CONFLICT,
            )
        if not FIRST_UID <= uid <= LAST_UID:
            raise ToolError(
                "PRISM_UID_OUT_OF_RANGE",
                f"UID {uid} is outside prism's range {FIRST_UID}-{LAST_UID}.",
                suggestions=[f"Choose a UID from {FIRST_UID} to {LAST_UID}, or leave --uid out."],
                exit_code=ExitCode.USAGE,
            )
        user = ResearchUser(
            name=name,
            uid=uid,
            gid=uid,
            groups=groups,
            created_at=self.records.clock.now(),
            created_by=by,
        )
        self.records.put(_UID, str(uid), _Allocation(user=name))
        self.records.put(_USER, name, user)
        return user

    def group_id(self, group: str) -> int:
        """A GID for a project's group, from the same ledger as UIDs (so none clashes with a
        user's own group), allocated on first use.
        """
        key = f"group:{group}"
        allocated = self.records.all(_UID, _Allocation)
        for number, holder in allocated.items():
            if holder.user == key:
                return int(number)
        gid = max([FIRST_UID - 1, *(int(k) for k in allocated)]) + 1
        self.records.put(_UID, str(gid), _Allocation(user=key))
        return gid

    def delete(self, name: str) -> ResearchUser:
        user = self.get(name)
        self.records.delete(_USER, name)
        return user

    def add_key(self, name: str, public_key: str, *, private_key_file: str | None) -> SshKey:
        user = self.get(name)
        line = " ".join(public_key.strip().splitlines()[0].split()) if public_key.strip() else ""
        fingerprint = fingerprint_of(line)
        if any(k.fingerprint == fingerprint for k in user.keys):
            raise ToolError(
                "PRISM_KEY_EXISTS",
                f"{name} has the key {fingerprint} already.",
                suggestions=[f"See {name}'s keys: prism user key list {name}"],
                exit_code=ExitCode.CONFLICT,
            )
        parts = line.split(maxsplit=2)
        key = SshKey(
            fingerprint=fingerprint,
            public_key=" ".join(parts[:2]),
            comment=parts[2] if len(parts) > 2 else "",
            added_at=self.records.clock.now(),
            private_key_file=private_key_file,
        )
        self.records.put(_USER, name, user.model_copy(update={"keys": [*user.keys, key]}))
        return key

    def remove_key(self, name: str, fingerprint: str) -> SshKey:
        user = self.get(name)
        found = [k for k in user.keys if k.fingerprint == fingerprint]
        if not found:
            raise ToolError(
                "PRISM_KEY_NOT_FOUND",
                f"{name} has no key {fingerprint}.",
                suggestions=[
                    f"See {name}'s keys and their fingerprints: prism user key list {name}"
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        keys = [k for k in user.keys if k.fingerprint != fingerprint]
        self.records.put(_USER, name, user.model_copy(update={"keys": keys}))
        return found[0]
