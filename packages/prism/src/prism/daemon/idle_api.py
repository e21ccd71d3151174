"""prismd's API for idle policies, where they apply, idle status, and the sandbox's simulated
idle samples.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.choices import IdleAction
from prism.daemon.engine import Engine
from prism.idle.enforce import SIMULATED, Simulated
from prism.idle.metrics import METRIC_IDLE, publish
from prism.idle.model import (
    POLICY_NAME,
    AssignmentResult,
    IdlePolicy,
    IdleStatusList,
    PolicyList,
    PolicyResult,
    Scope,
    SimulateResult,
)
from prism.workstations.model import WorkstationState

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/idle")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


class PolicyBody(BaseModel):
    name: str = Field(pattern=POLICY_NAME)
    idle_minutes: int = Field(ge=1, le=7 * 24 * 60)
    action: IdleAction = IdleAction.HIBERNATE
    warn_minutes: int = Field(default=5, ge=0, le=24 * 60)
    replace: bool = False


class AssignmentBody(BaseModel):
    policy: str
    scope: Scope
    target: str


class SimulateBody(BaseModel):
    idle_minutes: int = Field(default=0, ge=0, le=24 * 60)
    active: bool = Field(default=False, description="A sample of activity now (the bump).")


@router.get("/policies", response_model=PolicyList)
async def list_policies(request: Request) -> PolicyList:
    policies = _engine(request).policies
    return PolicyList(policies=policies.list(), assignments=policies.assignments())


@router.post("/policies", status_code=201, response_model=PolicyResult)
async def create_policy(body: PolicyBody, request: Request) -> PolicyResult:
    engine = _engine(request)

    def create() -> PolicyResult:
        policy = IdlePolicy(
            name=body.name,
            idle_minutes=body.idle_minutes,
            action=body.action,
            warn_minutes=body.warn_minutes,
        )
        stored = engine.policies.create(policy, replace=body.replace)
        engine.reresolve()
        return PolicyResult(policy=stored, assignments=engine.policies.where(stored.name))

    return await asyncio.to_thread(create)


@router.delete("/policies/{name}", response_model=PolicyResult)
async def delete_policy(name: str, request: Request) -> PolicyResult:
    engine = _engine(request)

    def delete() -> PolicyResult:
        policy = engine.policies.delete(name)
        engine.reresolve()
        return PolicyResult(policy=policy)

    return await asyncio.to_thread(delete)


@router.post("/assignments", response_model=AssignmentResult)
async def apply_policy(body: AssignmentBody, request: Request) -> AssignmentResult:
    engine = _engine(request)

    def apply() -> AssignmentResult:
        if body.scope == "workstation":
            engine.lifecycle.store.require(body.target)
        elif body.scope == "project":
            engine.projects.get(body.target)
        assignment = engine.policies.apply(body.policy, body.scope, body.target)
        touched = engine.policies.affected(body.scope, body.target, engine.store.list())
        engine.reresolve(touched)
        return AssignmentResult(assignment=assignment, workstations=touched)

    return await asyncio.to_thread(apply)


@router.get("/status", response_model=IdleStatusList)
async def status(request: Request, name: str | None = None) -> IdleStatusList:
    engine = _engine(request)

    def read() -> IdleStatusList:
        if name is not None:
            engine.lifecycle.store.require(name)
        return IdleStatusList(statuses=engine.idle.statuses([name] if name else None))

    return await asyncio.to_thread(read)


@router.post("/{name}/simulate", response_model=SimulateResult)
async def simulate(name: str, body: SimulateBody, request: Request) -> SimulateResult:
    """What the agent of a sandbox workstation would publish: ``idle_minutes`` of idle samples
    ending now (after one active sample), or one active sample (the bump); then prismd looks
    at the workstation at once, as its background check would.
    """
    engine = _engine(request)

    def run() -> SimulateResult:
        if not body.active and body.idle_minutes == 0:
            raise ToolError(
                "PRISM_IDLE_SIMULATE_NOTHING",
                "Nothing to simulate: give --idle DURATION or --active.",
                suggestions=[f"prism idle simulate {name} --idle 40m"],
                exit_code=ExitCode.USAGE,
            )
        ws = engine.lifecycle.get(name)
        if not ws.simulated:
            raise ToolError(
                "PRISM_IDLE_SIMULATE_SANDBOX_ONLY",
                f"{name} is a real workstation: its agent's samples are its activity, and prism"
                " will not publish made-up ones over them.",
                suggestions=[f"See where it stands: prism idle status {name}"],
                exit_code=ExitCode.USAGE,
            )
        if ws.state is not WorkstationState.RUNNING:
            raise ToolError(
                "PRISM_WORKSTATION_WRONG_STATE",
                f"{name} is {ws.state}; idle samples come from a running workstation.",
                suggestions=[f"Start it: prism start {name}"],
                exit_code=ExitCode.CONFLICT,
            )
        now = engine.clock.now()
        samples: list[tuple[datetime, dict[str, float]]] = []
        if body.active:
            samples.append((now, {METRIC_IDLE: 0.0, "SSHSessions": 1.0}))
        else:
            start = now - timedelta(minutes=body.idle_minutes)
            samples.append((start - timedelta(minutes=1), {METRIC_IDLE: 0.0}))
            samples += [
                (start + timedelta(minutes=m), {METRIC_IDLE: 1.0, "CPULoadPercent": 1.0})
                for m in range(body.idle_minutes + 1)
            ]
        cloudwatch = engine.session_for(ws).client("cloudwatch")
        published = publish(cloudwatch, ws, samples)
        engine.store.records.put(SIMULATED, name, Simulated(published_at=now, since=samples[0][0]))
        [found] = engine.idle.check([name])
        notice = None
        if found.state != str(WorkstationState.RUNNING) and found.last_action:
            notice = f"{name} was {found.last_action.text}."
        return SimulateResult(status=found, published=published, notice=notice)

    return await asyncio.to_thread(run)
