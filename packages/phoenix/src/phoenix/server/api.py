"""REST API on the groundwork service base (token, loopback, problem+json); OpenAPI at /docs.

Every route answers with the model the matching CLI command prints with `-o json`, so the
two agree by construction.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from groundwork.service import ServiceConfig, create_app
from phoenix import __version__
from phoenix.deployments import back_to_baseline, deploy, deployed_config, history, rollback
from phoenix.experiments.results import (
    ExperimentDeleted,
    ExperimentList,
    ExperimentReport,
    ExperimentResult,
    PromotedVariant,
    Promotion,
)
from phoenix.experiments.service import Experiments, parse_duration
from phoenix.live import live_figures
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import PROFILES, ProfileName, load_spec
from phoenix.loadsim.results import ProfileList, SimulationResult
from phoenix.pipelines import catalog
from phoenix.pipelines.loader import validation
from phoenix.pipelines.results import (
    DeployedConfig,
    DeploymentResult,
    DeploymentStatus,
    PipelineList,
    PipelineResult,
    PipelineValidation,
)
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
    baseline_group: str | None = None
    candidate_group: str | None = None
    prometheus_url: str | None = None


class LoadsimBody(BaseModel):
    profile: ProfileName = ProfileName.REALISTIC
    process_count: int | None = Field(default=None, ge=1, le=5000)
    churn_rate: float | None = Field(default=None, ge=0)
    duration: str | None = None


def _home(request: Request) -> Path:
    home: Path = request.app.state.home
    return home


@router.get("/pipelines", response_model=PipelineList)
async def pipelines() -> PipelineList:
    return PipelineList(pipelines=catalog.summaries())


@router.get("/pipelines/{name}", response_model=PipelineResult)
async def pipeline(name: str) -> PipelineResult:
    return PipelineResult(pipeline=catalog.get(name))


@router.post("/pipelines/validate", response_model=PipelineValidation)
async def validate(request: Request) -> PipelineValidation:
    """The body is the pipeline's YAML; problems are a finding (200), as in the CLI."""
    text = (await request.body()).decode("utf-8", errors="replace")
    return validation(text, "request body")


@router.get("/deployments", response_model=DeploymentStatus)
async def deployments(request: Request) -> DeploymentStatus:
    versions = history(open_store(_home(request)))
    live = await asyncio.to_thread(live_figures, _home(request))
    return DeploymentStatus(
        deployment=versions[0] if versions else None, deployments=versions, live=live
    )


@router.get("/deployments/config", response_model=DeployedConfig)
async def deployment_config(request: Request) -> DeployedConfig:
    return deployed_config(open_store(_home(request)))


@router.post("/deployments", status_code=201, response_model=DeploymentResult)
async def create_deployment(body: DeployBody, request: Request) -> DeploymentResult:
    conn = open_store(_home(request))
    return DeploymentResult(
        deployment=deploy(conn, body.pipeline, body.params, "deployed through the API")
    )


@router.post("/deployments/rollback", response_model=DeploymentResult)
async def rollback_deployment(body: RollbackBody, request: Request) -> DeploymentResult:
    return DeploymentResult(deployment=rollback(open_store(_home(request)), body.to))


@router.post("/deployments/baseline", response_model=DeploymentResult)
async def baseline_deployment(request: Request) -> DeploymentResult:
    """Back to the baseline, as a new version (`phoenix pipeline delete`)."""
    return DeploymentResult(deployment=back_to_baseline(open_store(_home(request))))


def _experiments(request: Request) -> Experiments:
    return Experiments(_home(request), open_store(_home(request)))


@router.get("/experiments", response_model=ExperimentList)
async def experiments(request: Request) -> ExperimentList:
    return ExperimentList(experiments=_experiments(request).list())


@router.post("/experiments", status_code=201, response_model=ExperimentResult)
async def create_experiment(body: ExperimentBody, request: Request) -> ExperimentResult:
    created = _experiments(request).create(
        body.name,
        body.baseline,
        body.candidate,
        parse_duration(body.duration),
        parse_duration(body.interval),
        body.critical_processes,
        body.min_reduction,
        body.min_critical,
        body.baseline_group,
        body.candidate_group,
        body.prometheus_url,
    )
    return ExperimentResult(experiment=created)


@router.get("/experiments/{experiment_id}", response_model=ExperimentReport)
async def experiment(experiment_id: str, request: Request) -> ExperimentReport:
    return _experiments(request).report(experiment_id)


@router.post("/experiments/{experiment_id}/start", response_model=ExperimentResult)
async def start_experiment(experiment_id: str, request: Request) -> ExperimentResult:
    return ExperimentResult(experiment=_experiments(request).start(experiment_id))


@router.post("/experiments/{experiment_id}/stop", response_model=ExperimentResult)
async def stop_experiment(experiment_id: str, request: Request) -> ExperimentResult:
    return ExperimentResult(experiment=_experiments(request).stop(experiment_id))


@router.post("/experiments/{experiment_id}/promote", response_model=Promotion)
async def promote_experiment(
    experiment_id: str, request: Request, variant: PromotedVariant = PromotedVariant.CANDIDATE
) -> Promotion:
    return _experiments(request).promote(experiment_id, variant)


@router.delete("/experiments/{experiment_id}", response_model=ExperimentDeleted)
async def delete_experiment(experiment_id: str, request: Request) -> ExperimentDeleted:
    return ExperimentDeleted(experiment=_experiments(request).delete(experiment_id))


@router.get("/loadsim", response_model=SimulationResult)
async def loadsim_status(request: Request) -> SimulationResult:
    return await asyncio.to_thread(LoadSim(_home(request)).status)


@router.get("/loadsim/profiles", response_model=ProfileList)
async def loadsim_profiles() -> ProfileList:
    return ProfileList(profiles=[make() for make in PROFILES.values()])


@router.post("/loadsim/start", response_model=SimulationResult)
async def loadsim_start(body: LoadsimBody, request: Request) -> SimulationResult:
    spec = load_spec(
        body.profile,
        process_count=body.process_count,
        churn_rate=body.churn_rate,
        duration=parse_duration(body.duration) if body.duration else None,
    )
    return await asyncio.to_thread(LoadSim(_home(request)).start, spec)


@router.post("/loadsim/stop", response_model=SimulationResult)
async def loadsim_stop(request: Request) -> SimulationResult:
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


def server_app(home: Path, config: ServiceConfig, *, event_seconds: float = 1.0) -> FastAPI:
    """``event_seconds``: how often a live experiment's stream looks for new figures."""
    from phoenix.server.console_api import router as console_router
    from phoenix.server.pages import add_pages

    app = create_app(config, title="phoenix", docs=True)
    app.state.home = home
    app.state.event_seconds = event_seconds
    app.include_router(router)
    app.include_router(console_router)
    add_pages(app)
    return app
