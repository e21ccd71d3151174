"""Projects and their budget alerts, kept in prism.db."""

from __future__ import annotations

import builtins

from groundwork.errors import ExitCode, ToolError
from prism.choices import BudgetBasis
from prism.projects.model import Alert, Budget, Project, Threshold
from prism.records import Records

__all__ = ["Projects"]

_PROJECT = "project"
_ALERT = "budget-alert"


class Projects:
    def __init__(self, records: Records) -> None:
        self.records = records

    def list(self) -> builtins.list[Project]:
        return list(self.records.all(_PROJECT, Project).values())

    def get(self, name: str) -> Project:
        found = self.records.get(_PROJECT, name, Project)
        if found is None:
            known = [p.name for p in self.list()]
            raise ToolError(
                "PRISM_PROJECT_NOT_FOUND",
                f"No project named {name!r}.",
                suggestions=[
                    f"Create it: prism project create {name}",
                    f"Or use one of: {', '.join(known)}"
                    if known
                    else "See them: prism project list",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def create(self, project: Project) -> Project:
        if self.records.get(_PROJECT, project.name, Project) is not None:
            raise ToolError(
                "PRISM_PROJECT_EXISTS",
                f"A project named {project.name!r} exists already.",
                suggestions=[
                    f"Change its budget: prism project budget {project.name} AMOUNT",
                    "Or choose another name.",
                ],
                exit_code=ExitCode.CONFLICT,
            )
        self.records.put(_PROJECT, project.name, project)
        return project

    def set_budget(self, name: str, budget: Budget | None) -> Project:
        project = self.get(name).model_copy(update={"budget": budget})
        self.records.put(_PROJECT, name, project)
        return project

    def delete(self, name: str) -> Project:
        project = self.get(name)
        self.records.delete(_PROJECT, name)
        for key in self.records.all(_ALERT, Alert):
            if key.startswith(f"{name}|"):
                self.records.delete(_ALERT, key)
        return project

    def alerts(self, name: str) -> builtins.list[Alert]:
        found = [a for k, a in self.records.all(_ALERT, Alert).items() if k.startswith(f"{name}|")]
        return sorted(found, key=lambda a: a.crossed_at, reverse=True)

    def alerted(self, name: str, period: str, threshold: Threshold) -> bool:
        key = _alert_key(name, period, threshold.percent, threshold.on)
        return self.records.get(_ALERT, key, Alert) is not None

    def record_alert(self, name: str, alert: Alert) -> None:
        self.records.put(_ALERT, _alert_key(name, alert.period, alert.percent, alert.on), alert)


def _alert_key(name: str, period: str, percent: float, on: BudgetBasis) -> str:
    suffix = "" if on is BudgetBasis.SPENT else f"|{on}"
    return f"{name}|{period}|{percent:g}{suffix}"
