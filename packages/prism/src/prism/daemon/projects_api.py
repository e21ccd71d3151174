"""prismd's API for projects and their budgets."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import get_logger
from prism.cloud.iam import forget_project_profile, project_profile_name
from prism.daemon.engine import Engine
from prism.data.buckets import ProjectBuckets
from prism.projects.model import (
    PROJECT_NAME,
    Budget,
    Project,
    ProjectList,
    ProjectResult,
)
from prism.workstations.model import WorkstationState

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/projects")
log = get_logger("prism.daemon")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


class ProjectBody(BaseModel):
    name: str = Field(pattern=PROJECT_NAME)
    description: str = Field(default="", max_length=500)
    budget: Budget | None = None


class BudgetBody(BaseModel):
    budget: Budget | None = Field(description="null removes the budget.")


def _refreshed(engine: Engine) -> None:
    """Spend counts storage too: scan it (at most once a minute) before figures are shown;
    when AWS cannot be asked, the figures count what the last scan saw.
    """
    try:
        engine.costing.refresh()
    except ToolError as exc:
        log.warning("could not scan storage for a project's spend", error=exc.message)


def _forget_profile(engine: Engine, name: str) -> None:
    """The instance profile its data buckets had goes with the project; when IAM refuses, the
    project is deleted all the same and the log says what is left.
    """
    try:
        forget_project_profile(engine.session().client("iam"), name)
    except ToolError as exc:
        log.warning(
            "could not delete a deleted project's instance profile",
            profile=project_profile_name(name),
            error=exc.message,
        )


@router.get("", response_model=ProjectList)
async def list_projects(request: Request) -> ProjectList:
    engine = _engine(request)

    def read() -> ProjectList:
        _refreshed(engine)
        views = [engine.budgets.view(p, detail=False) for p in engine.projects.list()]
        return ProjectList(projects=views)

    return await asyncio.to_thread(read)


@router.post("", status_code=201, response_model=ProjectResult)
async def create_project(body: ProjectBody, request: Request) -> ProjectResult:
    engine = _engine(request)

    def create() -> ProjectResult:
        project = Project(
            name=body.name,
            description=body.description,
            created_at=engine.clock.now(),
            budget=body.budget,
        )
        engine.projects.create(project)
        return ProjectResult(project=engine.budgets.view(project))

    return await asyncio.to_thread(create)


@router.get("/{name}", response_model=ProjectResult)
async def project_info(name: str, request: Request) -> ProjectResult:
    engine = _engine(request)

    def read() -> ProjectResult:
        project = engine.projects.get(name)
        _refreshed(engine)
        return ProjectResult(project=engine.budgets.view(project))

    return await asyncio.to_thread(read)


@router.put("/{name}/budget", response_model=ProjectResult)
async def set_budget(name: str, body: BudgetBody, request: Request) -> ProjectResult:
    engine = _engine(request)

    def change() -> ProjectResult:
        project = engine.projects.set_budget(name, body.budget)
        _refreshed(engine)
        return ProjectResult(project=engine.budgets.view(project))

    return await asyncio.to_thread(change)


@router.delete("/{name}", response_model=ProjectResult)
async def delete_project(name: str, request: Request) -> ProjectResult:
    engine = _engine(request)

    def delete() -> ProjectResult:
        project = engine.projects.get(name)
        _refreshed(engine)
        view = engine.budgets.view(project)
        live = [
            ws.name
            for ws in engine.store.list()
            if ws.project == name and ws.state not in (WorkstationState.DELETED,)
        ]
        buckets = [f"bucket:{b.name}" for b in ProjectBuckets(engine.store.records).list(name)]
        if live or view.storage or buckets:
            members = ", ".join([*live, *view.storage, *buckets])
            raise ToolError(
                "PRISM_PROJECT_NOT_EMPTY",
                f"The project {name!r} still has {members}.",
                suggestions=[
                    "Delete them first (prism delete, prism storage delete, prism volume"
                    " delete, prism snapshot delete); their cost stays in prism cost.",
                    *(
                        ["Detach its data buckets: prism data bucket remove NAME"]
                        if buckets
                        else []
                    ),
                ],
                context={"members": [*live, *view.storage, *buckets]},
                exit_code=ExitCode.CONFLICT,
            )
        engine.projects.delete(name)
        engine.policies.forget("project", name)
        _forget_profile(engine, name)
        return ProjectResult(project=view)

    return await asyncio.to_thread(delete)
