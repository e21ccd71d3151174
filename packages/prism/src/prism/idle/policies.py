"""Idle policies and where they apply.

A workstation's policy is the most specific one applied: to it by name, else to its project,
else to its template, else the default (hibernate after 60 min idle, warning 5 min before).
``none`` applied anywhere means no policy there: `launch --no-idle` applies it to the new
workstation. The resolved policy is kept on each workstation's record, so `list` and `info` show
it without working it out again; every change here re-resolves the workstations it touches.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from groundwork.errors import ExitCode, ToolError
from prism.choices import IdleAction
from prism.idle.model import Assignment, IdlePolicy, Scope
from prism.records import Records
from prism.workstations.model import IdlePolicyRef, Workstation

__all__ = ["DEFAULT_POLICY", "NO_POLICY", "Policies"]

DEFAULT_POLICY = IdlePolicy(
    name="default", idle_minutes=60, action=IdleAction.HIBERNATE, warn_minutes=5, builtin=True
)
NO_POLICY = "none"
_POLICY = "idle-policy"
_ASSIGNMENT = "idle-assignment"
_PRECEDENCE: tuple[Scope, ...] = ("workstation", "project", "template")


def _key(scope: str, target: str) -> str:
    return f"{scope}:{target}"


class Policies:
    def __init__(self, records: Records) -> None:
        self.records = records

    def list(self) -> builtins.list[IdlePolicy]:
        stored = self.records.all(_POLICY, IdlePolicy)
        found = {DEFAULT_POLICY.name: DEFAULT_POLICY, **stored}
        return sorted(found.values(), key=lambda p: (p.name != DEFAULT_POLICY.name, p.name))

    def get(self, name: str) -> IdlePolicy:
        for policy in self.list():
            if policy.name == name:
                return policy
        raise ToolError(
            "PRISM_IDLE_POLICY_NOT_FOUND",
            f"No idle policy named {name!r}.",
            suggestions=[
                "See them: prism idle policy list",
                f"Create it: prism idle policy create {name} --idle 30m --action hibernate",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )

    def create(self, policy: IdlePolicy, *, replace: bool = False) -> IdlePolicy:
        if policy.name == NO_POLICY:
            raise ToolError(
                "PRISM_IDLE_POLICY_RESERVED",
                f"{NO_POLICY!r} is reserved: applying it means no idle policy.",
                suggestions=["Choose another name."],
                exit_code=ExitCode.USAGE,
            )
        exists = any(p.name == policy.name for p in self.list())
        if exists and not replace:
            raise ToolError(
                "PRISM_IDLE_POLICY_EXISTS",
                f"An idle policy named {policy.name!r} exists already.",
                suggestions=[
                    "Change it with --replace (the workstations it governs follow),",
                    "or choose another name.",
                ],
                exit_code=ExitCode.CONFLICT,
            )
        stored = policy.model_copy(update={"builtin": False})
        self.records.put(_POLICY, policy.name, stored)
        return stored

    def delete(self, name: str) -> IdlePolicy:
        policy = self.get(name)
        in_use = self.where(name)
        if in_use:
            places = ", ".join(f"{a.scope} {a.target}" for a in in_use)
            raise ToolError(
                "PRISM_IDLE_POLICY_IN_USE",
                f"The idle policy {name!r} applies to {places}.",
                suggestions=[
                    f"Apply another policy there first: prism idle apply default"
                    f" {in_use[0].target}"
                    + ("" if in_use[0].scope == "workstation" else f" --{in_use[0].scope}"),
                ],
                exit_code=ExitCode.CONFLICT,
            )
        if not self.records.delete(_POLICY, name):
            raise ToolError(
                "PRISM_IDLE_POLICY_BUILTIN",
                "The default policy is built in: it cannot be deleted.",
                suggestions=[
                    "Change it: prism idle policy create default --idle 90m --replace",
                    "Or opt a workstation out: prism idle apply none NAME",
                ],
                exit_code=ExitCode.CONFLICT,
            )
        return policy

    def assignments(self) -> builtins.list[Assignment]:
        return list(self.records.all(_ASSIGNMENT, Assignment).values())

    def where(self, name: str) -> builtins.list[Assignment]:
        return [a for a in self.assignments() if a.policy == name]

    def apply(self, policy: str, scope: Scope, target: str) -> Assignment:
        if policy != NO_POLICY:
            self.get(policy)
        assignment = Assignment(policy=policy, scope=scope, target=target)
        self.records.put(_ASSIGNMENT, _key(scope, target), assignment)
        return assignment

    def forget(self, scope: Scope, target: str) -> None:
        """What applied to a workstation or project that is gone."""
        self.records.delete(_ASSIGNMENT, _key(scope, target))

    def resolve(self, ws: Workstation) -> IdlePolicyRef | None:
        assigned = {(a.scope, a.target): a.policy for a in self.assignments()}
        targets = {"workstation": ws.name, "project": ws.project, "template": ws.template}
        for scope in _PRECEDENCE:
            target = targets[scope]
            name = assigned.get((scope, target)) if target else None
            if name is None:
                continue
            if name == NO_POLICY:
                return None
            return self._ref(self.get(name), scope, ws)
        return self._ref(self.get(DEFAULT_POLICY.name), "default", ws)

    @staticmethod
    def _ref(policy: IdlePolicy, source: str, ws: Workstation) -> IdlePolicyRef:
        return IdlePolicyRef(
            name=policy.name,
            action=policy.action.value,
            idle_minutes=policy.idle_minutes,
            warn_minutes=policy.warn_minutes,
            source=source,
            can_hibernate=ws.hibernation,
        )

    def affected(
        self, scope: Scope, target: str, workstations: Iterable[Workstation]
    ) -> builtins.list[str]:
        """The workstations an assignment at (scope, target) may change."""
        field = {"workstation": "name", "project": "project", "template": "template"}[scope]
        return [ws.name for ws in workstations if getattr(ws, field) == target]
