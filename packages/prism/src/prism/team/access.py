"""What each role may do: the one table prismd enforces and the README shows.

A rule names the least role that may act on a caller's own thing (a workstation they
launched, their own keys) and the least role for anyone's. ``None`` means no role may: only
prismd's operator (the holder of its own token) does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from prism.team.model import Role

__all__ = ["RULES", "Rule", "Verb", "refusal", "table_markdown"]


class Verb(StrEnum):
    READ = "read"
    LAUNCH = "launch"
    MANAGE = "manage"
    BUDGET = "budget"
    SPACE = "space"
    TEMPLATES = "templates"
    DATA = "data"
    USERS = "users"
    KEYS = "keys"
    TEAM = "team"
    AUDIT = "audit"


@dataclass(frozen=True)
class Rule:
    words: str
    own: Role | None
    anyones: Role | None


RULES: dict[Verb, Rule] = {
    Verb.READ: Rule(
        "list and see workstations, projects, volumes, templates and costs",
        Role.VIEWER,
        Role.VIEWER,
    ),
    Verb.LAUNCH: Rule("launch a workstation into the project", Role.MEMBER, Role.MEMBER),
    Verb.MANAGE: Rule(
        "stop, start, hibernate, resume, delete a workstation; mount volumes on it; add or"
        " remove research users on it",
        Role.MEMBER,
        Role.ADMIN,
    ),
    Verb.BUDGET: Rule("set or change the project's budget", Role.ADMIN, Role.ADMIN),
    Verb.SPACE: Rule("create the project's shared space", Role.ADMIN, Role.ADMIN),
    Verb.TEMPLATES: Rule(
        "add, change or remove the project's own templates (members launch them)",
        Role.ADMIN,
        Role.ADMIN,
    ),
    Verb.DATA: Rule(
        "attach or remove the project's data buckets (mounted on its workstations)",
        Role.ADMIN,
        Role.ADMIN,
    ),
    Verb.USERS: Rule("create or delete research users", Role.ADMIN, Role.ADMIN),
    Verb.KEYS: Rule("add or remove SSH keys of a research user", Role.VIEWER, Role.ADMIN),
    Verb.TEAM: Rule("invite, change the role of, or revoke members", Role.OWNER, Role.OWNER),
    Verb.AUDIT: Rule("read the project's audit log", Role.ADMIN, Role.ADMIN),
}


def refusal(
    user: str, role: Role | None, project: str | None, verb: Verb, own: bool, action: str
) -> str | None:
    """Why ``user`` may not do ``action`` (of ``verb``), in words; None when they may."""
    rule = RULES[verb]
    needed = rule.own if own else rule.anyones
    if needed is not None and role is not None and role.rank >= needed.rank:
        return None
    where = f" of {project}" if project else " in any project"
    held = f"{user} is {_a(role.value)}{where}" if role else f"{user} has no role{where}"
    if needed is None:
        return f"{held}; only prismd's operator may {action}."
    mine = ""
    if not own and rule.own is not None and rule.own != needed:
        mine = f" ({rule.own.value} or above for their own)"
    return f"{held}; {action} needs {needed.value} or above{mine}."


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def table_markdown() -> str:
    """The README's table, made from the rules (a test checks the README holds it)."""
    roles = list(Role)
    lines = [
        "| What | " + " | ".join(r.value for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for rule in RULES.values():
        cells = []
        for role in roles:
            if rule.anyones is not None and role.rank >= rule.anyones.rank:
                cells.append("yes")
            elif rule.own is not None and role.rank >= rule.own.rank:
                cells.append("own")
            else:
                cells.append("no")
        lines.append(f"| {rule.words} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
