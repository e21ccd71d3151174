"""What the dashboard reads besides the API every client uses: who is looking (to show a
viewer what they may not do), the templates with their parameters (the launch form), and spend
over time with each budget's line and projection (the costs charts).

A team member sees their own projects only, as in every list the guard cuts.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from groundwork.errors import ToolError
from prism.daemon.dashboard_results import Viewer, ViewerResult
from prism.daemon.engine import Engine
from prism.projects.model import Alert, BudgetStatus, Threshold
from prism.team.guard import Caller, operator_name
from prism.templates.catalog import Catalog, catalog_for
from prism.templates.model import Template, TemplateFile
from prism.templates.offered import ParameterChoice, TemplateSummary, TemplateSummaryList

__all__ = ["Viewer", "caller_of", "projects_of", "router"]

router = APIRouter(prefix="/api/v1/dashboard")

SPEND_POINTS = 48


class SpendSeries(BaseModel):
    key: str = Field(description="The workstation's or the project's name ('(none)': no project).")
    kind: str = Field(description="workstation or project")
    usd: list[float] = Field(description="Spend so far at each of the report's times.")


class BudgetLine(BaseModel):
    project: str
    status: BudgetStatus
    thresholds: list[Threshold] = Field(description="What happens at which percent of it.")
    alerts: list[Alert] = Field(default_factory=list)


class SpendReport(BaseModel):
    """Cumulative spend since ``since`` at evenly spaced times, per workstation and per project,
    with every budget's status (spent, burn rate, projection to the period's end)."""

    since: datetime
    until: datetime
    times: list[datetime]
    series: list[SpendSeries]
    budgets: list[BudgetLine]
    total_usd: float


class SpendResult(BaseModel):
    spend: SpendReport


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def caller_of(request: Request) -> Caller:
    """The guard's caller; a browser with prismd's own cookie is its operator."""
    caller: Caller | None = getattr(request.state, "caller", None)
    return caller or Caller(operator_name(), operator=True)


def projects_of(request: Request, caller: Caller) -> dict[str, str]:
    if caller.operator:
        return {}
    roles = request.app.state.team.team.projects_of(caller.name)
    return {project: role.value for project, role in roles.items()}


@router.get("/viewer", response_model=ViewerResult)
async def viewer(request: Request) -> ViewerResult:
    caller = caller_of(request)
    roles = await asyncio.to_thread(projects_of, request, caller)
    return ViewerResult(viewer=Viewer(user=caller.name, operator=caller.operator, roles=roles))


@router.get("/templates", response_model=TemplateSummaryList)
async def templates(request: Request) -> TemplateSummaryList:
    """Every template the launch form offers, with its parameters (inherited ones too)."""
    home = _engine(request).home

    def read() -> TemplateSummaryList:
        catalog = catalog_for(home)
        found = []
        for slug, file in sorted(catalog.files().items()):
            template = _resolved(catalog, file)
            if template is None:
                continue
            found.append(
                TemplateSummary(
                    slug=slug,
                    name=template.name,
                    description=template.description,
                    parameters=[
                        ParameterChoice(
                            name=name,
                            label=p.display_name or name,
                            description=p.description or "",
                            type=p.type,
                            default=None if p.default is None else str(p.default),
                            choices=[str(c) for c in p.choices],
                            required=p.required,
                        )
                        for name, p in template.parameters.items()
                        if not p.hidden
                    ],
                )
            )
        return TemplateSummaryList(templates=found)

    return await asyncio.to_thread(read)


def _resolved(catalog: Catalog, file: TemplateFile) -> Template | None:
    """The template with its parents' parameters; None for one that fails to resolve (the
    catalog's own checks report it), which the form does not offer."""
    try:
        return catalog.resolve_file(file).template
    except ToolError:
        return None


@router.get("/spend", response_model=SpendResult)
async def spend(
    request: Request,
    hours: float = Query(default=24.0, gt=0, le=24 * 92, description="How far back."),
) -> SpendResult:
    engine = _engine(request)
    caller = caller_of(request)

    def compute() -> SpendResult:
        theirs = None if caller.operator else set(projects_of(request, caller))
        engine.lifecycle.list()  # states reconciled with EC2 before they are priced
        until = engine.clock.now()
        since = until - timedelta(hours=hours)
        segments = engine.costing.priced(until=until).segments
        if theirs is not None:
            segments = [s for s in segments if s.project in theirs]
        step = (until - since) / (SPEND_POINTS - 1)
        times = [since + step * i for i in range(SPEND_POINTS)]
        series: dict[tuple[str, str], list[float]] = {}
        for segment in segments:
            keys = [("project", segment.project or "(none)")]
            if segment.workstation:
                keys.append(("workstation", segment.workstation))
            for key in keys:
                line = series.setdefault(key, [0.0] * len(times))
                for i, at in enumerate(times):
                    line[i] += segment.usd(since, at)
        budgets = []
        for project in engine.projects.list():
            if project.budget is None or (theirs is not None and project.name not in theirs):
                continue
            view = engine.budgets.view(project, detail=True)
            if view.status is None:
                continue
            budgets.append(
                BudgetLine(
                    project=project.name,
                    status=view.status,
                    thresholds=list(project.budget.thresholds),
                    alerts=view.alerts,
                )
            )
        return SpendResult(
            spend=SpendReport(
                since=since,
                until=until,
                times=times,
                series=[
                    SpendSeries(key=key, kind=kind, usd=[round(v, 4) for v in values])
                    for (kind, key), values in sorted(series.items())
                ],
                budgets=budgets,
                total_usd=round(sum(s.usd(since, until) for s in segments), 4),
            )
        )

    return await asyncio.to_thread(compute)
