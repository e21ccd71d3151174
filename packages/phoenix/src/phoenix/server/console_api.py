"""The routes the web console adds to the REST API: a row per host, a catalog page, the fleet's
actions, an experiment's live events (server-sent events) and its HTML report.

Every action the console offers goes through a route the CLI has a command for, answering with
the model that command prints with `-o json`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from groundwork.errors import ToolError
from phoenix.console.catalog_page import catalog_entry
from phoenix.console.failures import failure
from phoenix.console.hosts import host_deployments
from phoenix.console.results import CatalogEntryResult, ExperimentEvent, HostDeploymentList
from phoenix.experiments.report import html_report
from phoenix.experiments.service import Experiments
from phoenix.fleet.results import FleetDeploymentList, HostList, HostStatusList
from phoenix.fleet.service import Fleet
from phoenix.loadsim.control import LoadSim
from phoenix.store import open_store

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")


class FleetDeployBody(BaseModel):
    pipeline: str
    group: str = Field(min_length=1)
    params: dict[str, str] = Field(default_factory=dict)


class FleetRollbackBody(BaseModel):
    group: str = Field(min_length=1)


def _home(request: Request) -> Path:
    home: Path = request.app.state.home
    return home


@router.get("/hosts", response_model=HostDeploymentList)
async def hosts(request: Request) -> HostDeploymentList:
    """This host and every fleet host, each with its pipeline, health and figures."""
    home = _home(request)
    rows = await asyncio.to_thread(host_deployments, home, open_store(home))
    return HostDeploymentList(host_deployments=rows)


@router.get("/catalog/{name}", response_model=CatalogEntryResult)
async def catalog_page(name: str) -> CatalogEntryResult:
    return CatalogEntryResult(catalog_entry=await asyncio.to_thread(catalog_entry, name))


@router.get("/fleet/hosts", response_model=HostList)
async def fleet_hosts(request: Request) -> HostList:
    return HostList(hosts=Fleet(open_store(_home(request))).hosts())


@router.get("/fleet/status", response_model=HostStatusList)
async def fleet_status(request: Request, group: str | None = None) -> HostStatusList:
    fleet = Fleet(open_store(_home(request)))
    return HostStatusList(host_statuses=await asyncio.to_thread(fleet.status, group))


@router.post("/fleet/deploy", response_model=FleetDeploymentList)
async def fleet_deploy(body: FleetDeployBody, request: Request) -> FleetDeploymentList:
    """Host by host, as `phoenix fleet deploy`; a failed host is in the list, not an error."""
    fleet = Fleet(open_store(_home(request)))
    done = await asyncio.to_thread(fleet.deploy, body.group, body.pipeline, body.params)
    return FleetDeploymentList(deployments=done)


@router.post("/fleet/rollback", response_model=FleetDeploymentList)
async def fleet_rollback(body: FleetRollbackBody, request: Request) -> FleetDeploymentList:
    fleet = Fleet(open_store(_home(request)))
    return FleetDeploymentList(deployments=await asyncio.to_thread(fleet.rollback, body.group))


@router.get(
    "/experiments/{experiment_id}/report.html",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def experiment_html(experiment_id: str, request: Request) -> HTMLResponse:
    """The HTML report `experiment compare -o html` writes, as a download."""
    home = _home(request)
    report = await asyncio.to_thread(Experiments(home, open_store(home)).report, experiment_id)
    name = f"experiment-{report.experiment.name}.html".replace('"', "")
    return HTMLResponse(
        html_report(report), headers={"content-disposition": f'attachment; filename="{name}"'}
    )


async def _events(
    request: Request, experiments: Experiments, experiment_id: str, every: float
) -> AsyncIterator[dict[str, str]]:
    """A new event each time the report or the simulation changes; the stream ends once the
    experiment has ended (the page then closes it, so the browser does not reconnect)."""
    sim = LoadSim(_home(request))
    last = ""
    while True:
        try:
            report = await asyncio.to_thread(experiments.report, experiment_id)
        except ToolError as exc:  # deleted while watched
            yield {"event": "gone", "data": exc.message}
            return
        simulation = (await asyncio.to_thread(sim.status)).simulation
        problem = failure(report.experiment)
        data = ExperimentEvent(
            report=report, simulation=simulation, problem=problem
        ).model_dump_json()
        if data != last:
            last = data
            yield {"event": "report", "data": data}
        if not report.experiment.state.active:
            return
        await asyncio.sleep(every)


@router.get(
    "/experiments/{experiment_id}/events",
    response_model=ExperimentEvent,
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Server-sent events: `report` (an ExperimentEvent as JSON) each time"
            " it changes, `gone` when the experiment is deleted.",
            # response_model registers the schema; the stream's media type refers to it.
            "content": {
                "text/event-stream": {"schema": {"$ref": "#/components/schemas/ExperimentEvent"}}
            },
        }
    },
)
async def experiment_events(experiment_id: str, request: Request) -> EventSourceResponse:
    home = _home(request)
    experiments = Experiments(home, open_store(home))
    await asyncio.to_thread(experiments.get, experiment_id)  # unknown: 404 before streaming
    every: float = request.app.state.event_seconds
    return EventSourceResponse(_events(request, experiments, experiment_id, every), ping=15)
