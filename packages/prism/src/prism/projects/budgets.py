"""Project budgets: where spend stands, where it is heading, and what happens at each threshold.

Spend is the cost (see :mod:`prism.cost.costing`) of everything tagged with the project in the
budget's period: this month for a monthly budget, since the project began for a total one. The
burn rate is what runs and is stored now, per hour; projections extend it to the period's end
(a total budget without an end: 30 days). prismd checks every budget continuously: a threshold
crossed is recorded once per period, announced (daemon log, the next command's notice, `project
info`), and its action taken: notify, hibernate_all (stop where a workstation cannot
hibernate), stop_all, or prevent_launch, which refuses a launch once crossed, or when the launch
would cross it by the period's end at the rate things would then burn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import get_logger
from prism.choices import BudgetAction, BudgetBasis, BudgetPeriod
from prism.cost.accrual import Segment
from prism.cost.costing import Costing
from prism.projects.model import Alert, Budget, BudgetStatus, Project, ProjectView, Threshold
from prism.projects.store import Projects
from prism.records import Event
from prism.workstations.lifecycle import Lifecycle
from prism.workstations.model import StateReason, Workstation, WorkstationState

__all__ = ["Budgets"]

log = get_logger("prism.budgets")

TOTAL_HORIZON = timedelta(days=30)


@dataclass(frozen=True)
class _Window:
    key: str
    start: datetime
    end: datetime | None
    horizon: datetime


def _window(project: Project, budget: Budget, now: datetime) -> _Window:
    if budget.period is BudgetPeriod.MONTHLY:
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        following = (start + timedelta(days=32)).replace(day=1)
        return _Window(f"{start:%Y-%m}", start, following, following)
    end = datetime.combine(budget.ends, time.max, tzinfo=UTC) if budget.ends else None
    return _Window("total", project.created_at, end, end or now + TOTAL_HORIZON)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _rate(value: float) -> str:
    return f"${value:,.4f}/h"


def _alert_text(project: Project, status: BudgetStatus, threshold: Threshold, outcome: str) -> str:
    budget = project.budget
    assert budget is not None
    of_budget = f"of its {_money(budget.amount_usd)} {budget.period} budget"
    if threshold.on is BudgetBasis.FORECAST:
        projected = status.projected_usd or 0.0
        if budget.period is BudgetPeriod.MONTHLY:
            by = "by the end of the month"
        elif status.period_end is None:
            by = "in 30 days"
        else:
            by = f"by {status.period_end:%Y-%m-%d}"
        share = projected / budget.amount_usd * 100
        return (
            f"Project {project.name} is heading for {_money(projected)} {of_budget}"
            f" ({share:.0f}%) {by} at {_rate(status.burn_usd_per_hour)}"
            f" (spent so far {_money(status.spent_usd)}), past its {threshold.percent:g}%"
            f" forecast threshold: {outcome}."
        )
    return (
        f"Project {project.name} has spent {_money(status.spent_usd)} {of_budget}"
        f" ({status.percent:.0f}%), past its {threshold.percent:g}% threshold: {outcome}."
    )


class Budgets:
    def __init__(
        self,
        projects: Projects,
        costing: Costing,
        lifecycle: Lifecycle,
        notify: Callable[..., Event],
    ) -> None:
        self.projects = projects
        self.costing = costing
        self.lifecycle = lifecycle
        self.notify = notify

    @property
    def clock_now(self) -> datetime:
        return self.costing.store.clock.now()

    def status(
        self, project: Project, segments: list[Segment] | None = None
    ) -> BudgetStatus | None:
        budget = project.budget
        if budget is None:
            return None
        now = self.clock_now
        window = _window(project, budget, now)
        if segments is None:
            segments = self.costing.priced(
                since=window.start, until=now, project=project.name
            ).segments
        spent = sum(s.usd(window.start, now) for s in segments)
        burn = sum(s.hourly_usd for s in segments if s.end >= now)
        hours_left = max(0.0, (window.horizon - now).total_seconds() / 3600)
        runs_out = None
        if burn > 0 and spent < budget.amount_usd:
            runs_out = now + timedelta(hours=(budget.amount_usd - spent) / burn)
        percent = spent / budget.amount_usd * 100
        blocked = any(
            t.action is BudgetAction.PREVENT_LAUNCH
            and t.on is BudgetBasis.SPENT
            and percent >= t.percent
            for t in budget.thresholds
        )
        return BudgetStatus(
            period=window.key,
            period_start=window.start,
            period_end=window.end,
            spent_usd=round(spent, 4),
            amount_usd=budget.amount_usd,
            percent=round(percent, 2),
            burn_usd_per_hour=round(burn, 4),
            projected_usd=round(spent + burn * hours_left, 4),
            runs_out_at=runs_out,
            launches_allowed=not blocked,
        )

    def view(self, project: Project, *, detail: bool = True) -> ProjectView:
        members = [
            ws.name
            for ws in self.costing.store.list()
            if ws.project == project.name and ws.state is not WorkstationState.DELETED
        ]
        storage = [
            f"{e.kind}:{e.name}"
            for e in self.costing.ledger.entries()
            if e.project == project.name and e.deleted_at is None
        ]
        records = self.costing.store.records
        return ProjectView(
            **project.model_dump(),
            status=self.status(project),
            workstations=members,
            storage=sorted(storage),
            alerts=self.projects.alerts(project.name) if detail else [],
            events=records.events(project=project.name, last=10) if detail else [],
        )

    def admit(self, ws: Workstation) -> None:
        """Refuse a launch into a project whose prevent_launch threshold is crossed, or would be
        by the period's end with this workstation running too; the error gives the figures.
        """
        if ws.project is None:
            return
        project = self.projects.get(ws.project)
        budget = project.budget
        if budget is None:
            return
        limits = [t for t in budget.thresholds if t.action is BudgetAction.PREVENT_LAUNCH]
        if not limits:
            return
        status = self.status(project)
        assert status is not None
        price, storage = self.costing.hourly(ws)
        adds = price.hourly + storage
        now = self.clock_now
        window = _window(project, budget, now)
        hours_left = max(0.0, (window.horizon - now).total_seconds() / 3600)
        projected = status.spent_usd + (status.burn_usd_per_hour + adds) * hours_left
        threshold = min(limits, key=lambda t: t.percent)
        limit = budget.amount_usd * threshold.percent / 100
        if status.spent_usd < limit and projected < limit:
            return
        until = (
            "the end of the month"
            if budget.period is BudgetPeriod.MONTHLY
            else f"{window.horizon:%Y-%m-%d}"
        )
        spent = (
            f"Project {project.name} has spent {_money(status.spent_usd)} of its"
            f" {_money(budget.amount_usd)} {budget.period} budget ({status.percent:.0f}%)"
        )
        if status.spent_usd >= limit:
            why = (
                f", past its prevent_launch threshold at {threshold.percent:g}% ({_money(limit)})."
            )
        else:
            why = (
                f"; with what runs now ({_rate(status.burn_usd_per_hour)}) and {ws.name}"
                f" ({ws.instance_type}, {_rate(adds)} with its disk) running until {until}"
                f" ({hours_left:.0f} h) it would reach {_money(projected)}, past its"
                f" prevent_launch threshold at {threshold.percent:g}% ({_money(limit)})."
            )
        self.costing.store.records.log(
            "launch-refused", spent + why, workstation=ws.name, project=project.name
        )
        raise ToolError(
            "PRISM_BUDGET_PREVENTS_LAUNCH",
            f"Launch refused. {spent}{why}",
            suggestions=[
                f"Stop or delete workstations of the project: prism list, prism project info"
                f" {project.name}",
                f"Raise the budget: prism project budget {project.name} AMOUNT",
                "Or launch something smaller (--size) or on spot (--spot).",
            ],
            context={
                "project": project.name,
                "spent_usd": status.spent_usd,
                "amount_usd": budget.amount_usd,
                "projected_usd": round(projected, 2),
                "limit_usd": round(limit, 2),
            },
            exit_code=ExitCode.CONFLICT,
        )

    def check(self) -> list[Alert]:
        """Every budget against its thresholds: each newly crossed one recorded and acted on."""
        raised = []
        for project in self.projects.list():
            budget = project.budget
            if budget is None:
                continue
            status = self.status(project)
            assert status is not None
            projected = status.projected_usd or 0.0
            reached = {
                BudgetBasis.SPENT: status.percent,
                BudgetBasis.FORECAST: projected / budget.amount_usd * 100,
            }
            for threshold in sorted(budget.thresholds, key=lambda t: t.percent):
                if reached[threshold.on] < threshold.percent:
                    continue
                if self.projects.alerted(project.name, status.period, threshold):
                    continue
                outcome = self._act(project, threshold.action, status)
                forecast = threshold.on is BudgetBasis.FORECAST
                alert = Alert(
                    period=status.period,
                    percent=threshold.percent,
                    action=threshold.action,
                    on=threshold.on,
                    crossed_at=self.clock_now,
                    spent_usd=status.spent_usd,
                    projected_usd=round(projected, 2) if forecast else None,
                    amount_usd=budget.amount_usd,
                    outcome=outcome,
                )
                self.projects.record_alert(project.name, alert)
                text = _alert_text(project, status, threshold, outcome)
                self.notify("budget-alert", text, project=project.name)
                raised.append(alert)
        return raised

    def _act(self, project: Project, action: BudgetAction, status: BudgetStatus) -> str:
        if action is BudgetAction.NOTIFY:
            return "notified"
        if action is BudgetAction.PREVENT_LAUNCH:
            return "new launches in the project are refused"
        running = [
            ws
            for ws in self.lifecycle.list()
            if ws.project == project.name and ws.state is WorkstationState.RUNNING
        ]
        done = []
        reason = f"by project {project.name}'s budget ({status.percent:.0f}% spent)"
        for ws in running:
            try:
                acted, verb = self._stop(ws, hibernate=action is BudgetAction.HIBERNATE_ALL)
            except ToolError as exc:
                log.error("budget action failed", workstation=ws.name, error=exc.message)
                done.append(f"{ws.name} could not be stopped ({exc.message})")
                continue
            acted.state_reason = StateReason(
                text=f"{verb} {reason}", by="budget", at=self.clock_now
            )
            self.costing.store.save(acted)
            done.append(f"{verb} {ws.name}")
        if not running:
            return f"{action}: nothing was running"
        return f"{action}: " + ", ".join(done)

    def _stop(self, ws: Workstation, *, hibernate: bool) -> tuple[Workstation, str]:
        """Hibernate (stopping what cannot hibernate) or stop."""
        if hibernate:
            try:
                acted, notice = self.lifecycle.hibernate(ws.name)
                return acted, "stopped" if notice else "hibernated"
            except ToolError as exc:
                if exc.code != "PRISM_AWS_HIBERNATION_UNSUPPORTED":
                    raise
        return self.lifecycle.stop(ws.name), "stopped"
