"""REST API on the groundwork service base (token, loopback, problem+json); OpenAPI at /docs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from groundwork.service import ServiceConfig, create_app
from phoenix import __version__
from phoenix.deployments import current, deploy, history, rollback
from phoenix.experiments.service import Experiments, parse_duration
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import load_spec
from phoenix.pipelines import catalog
from phoenix.pipelines.loader import PipelineInvalid, load_text
from phoenix.store import open_store

__all__ = ["server_app", "server_config"]

router = APIRouter(prefix="/api/v1")


class DeployBody(BaseModel):
    pipeline: str
    params: dict[str, str] = Field(default_factory=dict)


class RollbackBody(BaseModel):
    to: int | None = None


class ExperimentBody(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    baseline: str = "process-baseline-v1"
    candidate: str
    duration: str = "10m"
    interval: str = "10s"
    critical_processes: str = "nginx|postgres|java|mysqld|redis"
    min_reduction: float = Field(default=50, ge=0, le=100)
    min_critical: float = Field(default=100, ge=0, le=100)


class LoadsimBody(BaseModel):
    profile: str = "realistic"
    process_count: int | None = Field(default=None, ge=1, le=5000)
    churn_rate: float | None = Field(default=None, ge=0)
    duration: str | None = None


def _home(request: Request) -> Path:
    home: Path = request.app.state.home
    return home


@router.get("/pipelines")
async def pipelines() -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "description": p.description,
            "expected_reduction": p.expected_reduction.model_dump(),
        }
        for p in catalog.all_pipelines()
    ]


@router.get("/pipelines/{name}")
async def pipeline(name: str) -> dict[str, Any]:
    return catalog.get(name).model_dump(by_alias=True)


@router.post("/pipelines/validate")
async def validate(request: Request) -> dict[str, Any]:
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        found = load_text(text, "request body")
    except PipelineInvalid as exc:
        return {"valid": False, "problems": [p.as_dict() for p in exc.problems]}
    return {"valid": True, "name": found.name}


@router.get("/deployments")
async def deployments(request: Request) -> dict[str, Any]:
    conn = open_store(_home(request))
    now = current(conn)
    return {
        "current": now.to_dict() if now else None,
        "history": [d.to_dict() for d in history(conn)],
    }


@router.post("/deployments", status_code=201)
async def create_deployment(body: DeployBody, request: Request) -> dict[str, Any]:
    return deploy(
        open_store(_home(request)), body.pipeline, body.params, "deployed through the API"
    ).to_dict()


@router.post("/deployments/rollback")
async def rollback_deployment(body: RollbackBody, request: Request) -> dict[str, Any]:
    return rollback(open_store(_home(request)), body.to).to_dict()


def _experiments(request: Request) -> Experiments:
    return Experiments(_home(request), open_store(_home(request)))


@router.get("/experiments")
async def experiments(request: Request) -> list[dict[str, Any]]:
    return _experiments(request).list()


@router.post("/experiments", status_code=201)
async def create_experiment(body: ExperimentBody, request: Request) -> dict[str, Any]:
    return _experiments(request).create(
        body.name,
        body.baseline,
        body.candidate,
        parse_duration(body.duration),
        parse_duration(body.interval),
        body.critical_processes,
        body.min_reduction,
        body.min_critical,
    )


@router.get("/experiments/{experiment_id}")
async def experiment(experiment_id: str, request: Request) -> dict[str, Any]:
    return _experiments(request).compare(experiment_id)


@router.post("/experiments/{experiment_id}/start")
async def start_experiment(experiment_id: str, request: Request) -> dict[str, Any]:
    return _experiments(request).start(experiment_id)


@router.post("/experiments/{experiment_id}/stop")
async def stop_experiment(experiment_id: str, request: Request) -> dict[str, Any]:
    return _experiments(request).stop(experiment_id)


@router.post("/experiments/{experiment_id}/promote")
async def promote_experiment(
    experiment_id: str, request: Request, variant: str = "candidate"
) -> dict[str, Any]:
    return _experiments(request).promote(experiment_id, variant)


@router.delete("/experiments/{experiment_id}")
async def delete_experiment(experiment_id: str, request: Request) -> dict[str, Any]:
    _experiments(request).delete(experiment_id)
    return {"deleted": experiment_id}


@router.get("/loadsim")
async def loadsim_status(request: Request) -> dict[str, Any]:
    return await asyncio.to_thread(LoadSim(_home(request)).status)


@router.post("/loadsim/start")
async def loadsim_start(body: LoadsimBody, request: Request) -> dict[str, Any]:
    spec = load_spec(
        body.profile,
        process_count=body.process_count,
        churn_rate=body.churn_rate,
        duration=parse_duration(body.duration) if body.duration else None,
    )
    return await asyncio.to_thread(LoadSim(_home(request)).start, spec)


@router.post("/loadsim/stop")
async def loadsim_stop(request: Request) -> dict[str, Any]:
    return await asyncio.to_thread(LoadSim(_home(request)).stop)


def server_config(home: Path, host: str, port: int) -> ServiceConfig:
    return ServiceConfig(
        tool="phoenix",
        name="phoenix-server",
        version=__version__,
        state_dir=home,
        host=host,
        port=port,
    )


def server_app(home: Path, config: ServiceConfig) -> FastAPI:
    app = create_app(config, title="phoenix", docs=True)
    app.state.home = home
    app.include_router(router)
    return app
