"""Who belongs to which project in which role, their API tokens, one-time join tickets, and
who launched each workstation (a member manages their own).

Tokens and tickets are kept as SHA-256 digests only: a copy of prism.db lets nobody in.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel

from groundwork.errors import ExitCode, ToolError
from prism.records import Records
from prism.team.model import Member, Role

__all__ = ["TICKET_LIFETIME", "Team"]

TICKET_LIFETIME = timedelta(hours=24)

_MEMBER = "team-member"
_TOKEN = "team-token"  # noqa: S105 - a record kind, not a secret
_TICKET = "team-ticket"
_OWNER = "workstation-owner"


class _Holder(BaseModel):
    user: str


class _Ticket(BaseModel):
    user: str
    expires_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Team:
    def __init__(self, records: Records) -> None:
        self.records = records

    def members(self, project: str | None = None) -> builtins.list[Member]:
        found = self.records.all(_MEMBER, Member).values()
        return [m for m in found if project is None or m.project == project]

    def role_of(self, user: str, project: str) -> Role | None:
        found = self.records.get(_MEMBER, f"{project}|{user}", Member)
        return found.role if found else None

    def projects_of(self, user: str) -> dict[str, Role]:
        return {m.project: m.role for m in self.members() if m.user == user}

    def set_role(self, user: str, project: str, role: Role, *, by: str) -> Member:
        member = Member(
            user=user, project=project, role=role, since=self.records.clock.now(), by=by
        )
        self.records.put(_MEMBER, f"{project}|{user}", member)
        return member

    def revoke(self, user: str, project: str | None) -> builtins.list[Member]:
        """The user's roles (in one project, or all); with none left, their token is void."""
        gone = [m for m in self.members(project) if m.user == user]
        if not gone:
            where = f" in {project}" if project else ""
            raise ToolError(
                "PRISM_MEMBER_NOT_FOUND",
                f"{user} has no role{where}.",
                suggestions=["See who has which role: prism team list"],
                exit_code=ExitCode.NOT_FOUND,
            )
        for member in gone:
            self.records.delete(_MEMBER, f"{member.project}|{user}")
        if not self.projects_of(user):
            for key, holder in self.records.all(_TOKEN, _Holder).items():
                if holder.user == user:
                    self.records.delete(_TOKEN, key)
        return gone

    def issue_ticket(self, user: str) -> tuple[str, datetime]:
        ticket = secrets.token_urlsafe(24)
        expires = self.records.clock.now() + TICKET_LIFETIME
        self.records.put(_TICKET, _digest(ticket), _Ticket(user=user, expires_at=expires))
        return ticket, expires

    def redeem(self, ticket: str) -> tuple[str, str]:
        """The ticket's user and a new token for them; the ticket is spent."""
        key = _digest(ticket)
        found = self.records.get(_TICKET, key, _Ticket)
        self.records.delete(_TICKET, key)
        if found is None or found.expires_at <= self.records.clock.now():
            raise ToolError(
                "PRISM_TICKET_INVALID",
                "This join ticket was used already, has expired, or was never issued.",
                suggestions=["Ask a project owner for a new one: prism team invite USER --role R"],
                exit_code=ExitCode.PERMISSION,
            )
        if not self.projects_of(found.user):
            raise ToolError(
                "PRISM_TICKET_INVALID",
                f"{found.user}'s roles were revoked after this ticket was issued.",
                suggestions=["Ask a project owner to invite them again."],
                exit_code=ExitCode.PERMISSION,
            )
        token = secrets.token_urlsafe(32)
        self.records.put(_TOKEN, _digest(token), _Holder(user=found.user))
        return found.user, token

    def holder_of(self, token: str) -> str | None:
        found = self.records.get(_TOKEN, _digest(token), _Holder)
        return found.user if found else None

    def launched(self, workstation: str, user: str) -> None:
        self.records.put(_OWNER, workstation, _Holder(user=user))

    def launcher_of(self, workstation: str) -> str | None:
        found = self.records.get(_OWNER, workstation, _Holder)
        return found.user if found else None
