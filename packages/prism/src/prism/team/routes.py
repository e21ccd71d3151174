"""Which verb of the access table each API call is, and where its project and target are.

Calls not listed are refused to team members (only prismd's operator makes them): a new route
is closed until it is added here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from prism.team.access import Verb

__all__ = ["Call", "Locate", "classify"]


class Locate(StrEnum):
    """Where a call names the thing it acts on."""

    NOTHING = "nothing"
    WORKSTATION_PATH = "workstation-path"
    WORKSTATION_BODY = "workstation-body"
    LAUNCH_BODY = "launch-body"
    PROJECT_PATH = "project-path"
    PROJECT_BODY = "project-body"
    PROJECT_QUERY = "project-query"
    USER_PATH = "user-path"


@dataclass(frozen=True)
class Call:
    action: str
    verb: Verb | None
    locate: Locate
    target: str = ""


_TABLE: list[tuple[str, re.Pattern[str], str, Verb | None, Locate]] = [
    ("GET", re.compile(r"/api/v1/audit"), "audit.read", Verb.AUDIT, Locate.PROJECT_QUERY),
    ("GET", re.compile(r"/api/v1/cost"), "cost.read", Verb.READ, Locate.PROJECT_QUERY),
    (
        "GET",
        re.compile(r"/api/v1/workstations/(?P<t>[^/]+)(/progress|/metrics)?"),
        "read",
        Verb.READ,
        Locate.WORKSTATION_PATH,
    ),
    (
        "GET",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)(/space|/templates|/buckets)?"),
        "read",
        Verb.READ,
        Locate.PROJECT_PATH,
    ),
    (
        "POST",
        re.compile(r"/api/v1/workstations"),
        "workstation.launch",
        Verb.LAUNCH,
        Locate.LAUNCH_BODY,
    ),
    (
        "POST",
        re.compile(r"/api/v1/workstations/(?P<t>[^/]+)/(?P<a>stop|start|hibernate|resume)"),
        "workstation.{a}",
        Verb.MANAGE,
        Locate.WORKSTATION_PATH,
    ),
    (
        "DELETE",
        re.compile(r"/api/v1/workstations/(?P<t>[^/]+)"),
        "workstation.delete",
        Verb.MANAGE,
        Locate.WORKSTATION_PATH,
    ),
    (
        "POST",
        re.compile(r"/api/v1/volumes/(?P<v>[^/]+)/(?P<a>mount|unmount)"),
        "volume.{a}",
        Verb.MANAGE,
        Locate.WORKSTATION_BODY,
    ),
    (
        "POST",
        re.compile(r"/api/v1/research-users/(?P<u>[^/]+)/workstations/(?P<t>[^/]+)"),
        "workstation.user-add",
        Verb.MANAGE,
        Locate.WORKSTATION_PATH,
    ),
    (
        "DELETE",
        re.compile(r"/api/v1/research-users/(?P<u>[^/]+)/workstations/(?P<t>[^/]+)"),
        "workstation.user-remove",
        Verb.MANAGE,
        Locate.WORKSTATION_PATH,
    ),
    (
        "PUT",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/budget"),
        "project.budget",
        Verb.BUDGET,
        Locate.PROJECT_PATH,
    ),
    (
        "POST",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/space"),
        "project.space-create",
        Verb.SPACE,
        Locate.PROJECT_PATH,
    ),
    (
        "POST",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/templates"),
        "project.template-put",
        Verb.TEMPLATES,
        Locate.PROJECT_PATH,
    ),
    (
        "DELETE",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/templates/(?P<s>[^/]+)"),
        "project.template-remove",
        Verb.TEMPLATES,
        Locate.PROJECT_PATH,
    ),
    (
        "POST",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/buckets"),
        "project.bucket-add",
        Verb.DATA,
        Locate.PROJECT_PATH,
    ),
    (
        "DELETE",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/buckets/(?P<s>[^/]+)"),
        "project.bucket-remove",
        Verb.DATA,
        Locate.PROJECT_PATH,
    ),
    (
        "POST",
        re.compile(r"/api/v1/projects/(?P<t>[^/]+)/render"),
        "project.render",
        Verb.READ,
        Locate.PROJECT_PATH,
    ),
    ("POST", re.compile(r"/api/v1/dashboard/login"), "dashboard.login", Verb.READ, Locate.NOTHING),
    ("POST", re.compile(r"/api/v1/projects"), "project.create", None, Locate.NOTHING),
    ("POST", re.compile(r"/api/v1/users"), "user.create", Verb.USERS, Locate.NOTHING),
    (
        "DELETE",
        re.compile(r"/api/v1/users/(?P<t>[^/]+)"),
        "user.delete",
        Verb.USERS,
        Locate.NOTHING,
    ),
    (
        "POST",
        re.compile(r"/api/v1/users/(?P<t>[^/]+)/keys"),
        "key.add",
        Verb.KEYS,
        Locate.USER_PATH,
    ),
    (
        "DELETE",
        re.compile(r"/api/v1/users/(?P<t>[^/]+)/keys"),
        "key.remove",
        Verb.KEYS,
        Locate.USER_PATH,
    ),
    ("POST", re.compile(r"/api/v1/team/invite"), "team.invite", Verb.TEAM, Locate.PROJECT_BODY),
    ("POST", re.compile(r"/api/v1/team/revoke"), "team.revoke", Verb.TEAM, Locate.PROJECT_BODY),
]


def classify(method: str, path: str) -> Call:
    """The call's action and verb; GETs not listed are reads, other calls not listed have no
    verb (operator only).
    """
    method = "GET" if method == "HEAD" else method
    for wanted, pattern, action, verb, locate in _TABLE:
        found = pattern.fullmatch(path) if wanted == method else None
        if found is not None:
            groups = found.groupdict()
            target = groups.get("t") or groups.get("v") or ""
            if groups.get("u") and groups.get("t"):
                target = f"{groups['u']}@{groups['t']}"
            return Call(
                action=action.format(a=groups.get("a", "")),
                verb=verb,
                locate=locate,
                target=target,
            )
    if method == "GET":
        return Call(action="read", verb=Verb.READ, locate=Locate.NOTHING, target=path)
    return Call(action=f"{method} {path}", verb=None, locate=Locate.NOTHING, target=path)
