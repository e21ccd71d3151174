"""prismd's REST API for workstations under /api/v1 (OpenAPI at /docs and /openapi.json).

Every route declares the model it answers with; the CLI prints the same classes with
``--output json``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent

from groundwork.errors import ToolError, to_problem
from prism.choices import Arch, Size
from prism.daemon import (
    care_api,
    dashboard_api,
    dashboard_pages,
    events_api,
    idle_api,
    metrics_api,
    projects_api,
    snapshots_api,
    storage_api,
    team_api,
    templates_api,
)
from prism.daemon.config import progress_ping_seconds
from prism.daemon.engine import Engine, LaunchHandle
from prism.daemon.status import DaemonResult, DaemonStatus
from prism.workstations.launch import LaunchRequest
from prism.workstations.lifecycle import Lifecycle, Listing
from prism.workstations.model import Workstation, WorkstationState
from prism.workstations.progress import ProgressPlan, ProgressSnapshot
from prism.workstations.results import (
    LaunchResult,
    ProgressUpdate,
    WorkstationList,
    WorkstationResult,
)

__all__ = ["install", "router"]

router = APIRouter(prefix="/api/v1")

_PROGRESS_EVENTS = (
    "Server-Sent Events: `progress` events (a ProgressUpdate each) while the launch runs, then"
    " one `result` (a LaunchResult) or one `error` (problem+json). Comments are keep-alive"
    " pings (PRISM_PROGRESS_PING_SECONDS apart). Subscribing again at any time, after a"
    " restart of prismd too, picks the launch up where it is."
)


class ProgressStream(EventSourceResponse):
    """sse-starlette's response, its media type declared where FastAPI's OpenAPI reads it."""

    media_type = "text/event-stream"


class LaunchBody(BaseModel):
    template: str
    name: str
    size: Size | None = None
    arch: Arch | None = Field(
        default=None,
        description="x86_64 or arm64 (Graviton): the size maps to that architecture's peer"
        " family; none: the template's own instance type's.",
    )
    params: dict[str, str] = Field(default_factory=dict)
    spot: bool = False
    hibernation: bool = False
    dry_run: bool = False
    wait: bool = True
    volumes: list[str] = Field(default_factory=list)
    template_dirs: list[str] = Field(
        default_factory=list,
        description="Template folders besides the state's (the CLI's PRISM_TEMPLATE_PATH).",
    )
    project: str | None = None
    idle: bool = Field(default=True, description="False: no idle agent, no idle policy.")
    users: list[str] = Field(
        default_factory=list, description="Research users to add (prism user create)."
    )


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@router.get("/status", response_model=DaemonResult)
async def status(request: Request) -> DaemonResult:
    engine = engine_of(request)
    profile = engine.profiles.active()
    return DaemonResult(
        daemon=DaemonStatus(
            running=True,
            pid=os.getpid(),
            url=str(request.base_url).rstrip("/"),
            version=request.app.version,
            started_at=request.app.state.started_at,
            profile=profile,
            simulated=profile.simulated,
            launches_running=sum(1 for h in engine.launches.values() if not h.done),
            tls_fingerprint=team_api.services(request).tls_fingerprint,
        )
    )


async def _listing(lifecycle: Lifecycle) -> Listing:
    """The reconciled list; straight from memory while it is current, else from a worker thread
    (SQLite and DescribeInstances block).
    """
    current = lifecycle.current_listing()
    return current if current is not None else await asyncio.to_thread(lifecycle.listing)


@router.get("/workstations", response_model=WorkstationList)
async def list_workstations(request: Request) -> Response:
    """Answered as raw JSON, serialised once per reconcile rather than once per request."""
    listing = await _listing(engine_of(request).lifecycle)
    return Response(listing.body, media_type="application/json")


@router.get("/workstations/{name}", response_model=WorkstationResult)
async def get_workstation(name: str, request: Request) -> Response:
    lifecycle = engine_of(request).lifecycle
    document = (await _listing(lifecycle)).documents.get(name)
    if document is None:
        ws = await asyncio.to_thread(lifecycle.get, name)
        document = WorkstationResult(workstation=ws).model_dump_json().encode()
    return Response(document, media_type="application/json")


@router.post(
    "/workstations",
    status_code=202,
    response_model=LaunchResult,
    responses={200: {"model": LaunchResult, "description": "A dry run that AWS accepted."}},
)
async def launch(body: LaunchBody, request: Request, response: Response) -> LaunchResult:
    engine = engine_of(request)
    team = team_api.services(request)
    stages = await asyncio.to_thread(team.setup_stages, body.project, body.users)
    launch_request = LaunchRequest(
        template=body.template,
        name=body.name,
        size=body.size,
        arch=body.arch,
        params=body.params,
        spot=body.spot,
        hibernation=body.hibernation,
        dry_run=body.dry_run,
        volumes=tuple(body.volumes),
        template_dirs=tuple(body.template_dirs) + team.templates.dirs_for(body.project),
        project=body.project,
        idle=body.idle,
        setup_stages=stages,
    )
    handle = await asyncio.to_thread(engine.launch, launch_request, wait=body.wait)
    if body.users and not body.dry_run:
        team.set_users_on(body.name, list(dict.fromkeys(body.users)))
    if body.dry_run:
        if handle.error is not None:
            raise handle.error
        response.status_code = 200
        return LaunchResult(workstation=handle.workstation, dry_run=True)
    return LaunchResult(
        workstation=handle.workstation, progress=f"/api/v1/workstations/{body.name}/progress"
    )


@router.get(
    "/workstations/{name}/progress",
    response_class=ProgressStream,
    responses={200: {"model": ProgressUpdate, "description": _PROGRESS_EVENTS}},
)
async def progress(name: str, request: Request) -> ProgressStream:
    engine = engine_of(request)
    handle = engine.launches.get(name)
    if handle is not None:
        events = _launch_events(handle)
    else:
        # Looked up before the stream opens, so an unknown name is a plain 404.
        ws = await asyncio.to_thread(engine.lifecycle.get, name)
        events = _state_events(engine, ws)
    return ProgressStream(
        events, ping=progress_ping_seconds(), headers={"Cache-Control": "no-store"}
    )


def _progress_event(snap: ProgressSnapshot) -> ServerSentEvent:
    update = ProgressUpdate.model_validate(snap.to_dict())
    return ServerSentEvent(update.model_dump_json(), event="progress")


def _result_event(ws: Workstation) -> ServerSentEvent:
    return ServerSentEvent(LaunchResult(workstation=ws).model_dump_json(), event="result")


def _error_event(error: ToolError) -> ServerSentEvent:
    return ServerSentEvent(json.dumps(to_problem(error)), event="error")


async def _launch_events(handle: LaunchHandle) -> AsyncIterator[ServerSentEvent]:
    """A launch this daemon runs: every change as it happens, then how it ended."""
    async for snap in handle.plan.stream():
        yield _progress_event(snap)
    while not handle.done:
        await asyncio.sleep(0.05)
    if handle.error is not None:
        yield _error_event(handle.error)
    else:
        yield _result_event(handle.workstation)


async def _state_events(engine: Engine, ws: Workstation) -> AsyncIterator[ServerSentEvent]:
    """A launch no worker of this daemon runs (prismd restarted since): its instance is
    followed in EC2 until it has booted, and a launch cut short is reported as failed.
    """
    plan: ProgressPlan | None = None
    while ws.state is WorkstationState.PENDING:
        plan = plan or engine.launcher.resumed_plan(ws.template)
        yield _progress_event(plan.snapshot())
        await asyncio.sleep(0.2 if ws.simulated else 3.0)
        ws = await asyncio.to_thread(engine.lifecycle.get, ws.name)
    if ws.state is WorkstationState.FAILED:
        yield _error_event(
            ToolError(
                "PRISM_LAUNCH_FAILED",
                f"The launch of {ws.name} failed: {ws.message or 'no reason was recorded'}.",
                suggestions=[f"Launch it again: prism launch {ws.template} {ws.name}"],
            )
        )
    else:
        yield _result_event(ws)


@router.post("/workstations/{name}/{action}", response_model=WorkstationResult)
async def act(
    name: str,
    action: Literal["stop", "start", "hibernate", "resume"],
    request: Request,
) -> WorkstationResult:
    lifecycle = engine_of(request).lifecycle
    notice = None
    if action == "hibernate":
        ws, notice = await asyncio.to_thread(lifecycle.hibernate, name)
    else:
        ws = await asyncio.to_thread(getattr(lifecycle, action), name)
    return WorkstationResult(workstation=ws, notice=notice)


@router.delete("/workstations/{name}", response_model=WorkstationResult)
async def delete(name: str, request: Request) -> WorkstationResult:
    engine = engine_of(request)
    ws = await asyncio.to_thread(engine.lifecycle.delete, name)
    engine.forget(ws)
    return WorkstationResult(workstation=ws)


def install(app: FastAPI, engine: Engine) -> None:
    app.state.engine = engine
    app.state.started_at = datetime.now(UTC).isoformat(timespec="seconds")
    app.include_router(router)
    app.include_router(storage_api.router)
    app.include_router(care_api.router)
    app.include_router(templates_api.router)
    app.include_router(idle_api.router)
    app.include_router(projects_api.router)
    app.include_router(snapshots_api.router)
    app.include_router(events_api.router)
    app.include_router(metrics_api.router)
    app.include_router(dashboard_api.router)
    dashboard_pages.install(app)
    team_api.install(app, engine)
