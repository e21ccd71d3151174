"""prismd's REST API under /api/v1 (OpenAPI at /docs)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from groundwork.errors import to_problem
from prism.daemon import storage_api
from prism.daemon.engine import Engine
from prism.workstations.launch import LaunchRequest
from prism.workstations.lifecycle import Lifecycle, Listing
from prism.workstations.progress import encode_sse

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")


class LaunchBody(BaseModel):
    template: str
    name: str
    size: str | None = None
    params: dict[str, str] = Field(default_factory=dict)
    spot: bool = False
    hibernation: bool = False
    dry_run: bool = False
    wait: bool = True
    volumes: list[str] = Field(default_factory=list)


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _dump(obj: Any) -> Any:
    return obj.model_dump(mode="json")


@router.get("/status")
async def status(request: Request) -> dict[str, Any]:
    engine = engine_of(request)
    profile = engine.profiles.active()
    return {
        "version": request.app.version,
        "profile": profile.model_dump(mode="json"),
        "simulated": profile.simulated,
        "launches_running": sum(1 for h in engine.launches.values() if not h.done),
    }


async def _listing(lifecycle: Lifecycle) -> Listing:
    """The reconciled list; straight from memory while it is current, else from a worker thread
    (SQLite and DescribeInstances block).
    """
    current = lifecycle.current_listing()
    return current if current is not None else await asyncio.to_thread(lifecycle.listing)


@router.get("/workstations")
async def list_workstations(request: Request) -> Response:
    """Answered as raw JSON, serialised once per reconcile rather than once per request."""
    listing = await _listing(engine_of(request).lifecycle)
    return Response(listing.body, media_type="application/json")


@router.get("/workstations/{name}")
async def get_workstation(name: str, request: Request) -> Response:
    lifecycle = engine_of(request).lifecycle
    document = (await _listing(lifecycle)).documents.get(name)
    if document is None:
        ws = await asyncio.to_thread(lifecycle.get, name)
        document = ws.model_dump_json().encode()
    return Response(document, media_type="application/json")


@router.post("/workstations", status_code=202)
async def launch(body: LaunchBody, request: Request) -> JSONResponse:
    engine = engine_of(request)
    launch_request = LaunchRequest(
        template=body.template,
        name=body.name,
        size=body.size,
        params=body.params,
        spot=body.spot,
        hibernation=body.hibernation,
        dry_run=body.dry_run,
        volumes=tuple(body.volumes),
    )
    handle = await asyncio.to_thread(engine.launch, launch_request, wait=body.wait)
    if body.dry_run:
        if handle.error is not None:
            raise handle.error
        return JSONResponse({"workstation": _dump(handle.workstation), "dry_run": True}, 200)
    return JSONResponse(
        {
            "workstation": _dump(handle.workstation),
            "progress": f"/api/v1/workstations/{body.name}/progress",
        },
        status_code=202,
    )


@router.get("/workstations/{name}/progress")
async def progress(name: str, request: Request) -> StreamingResponse:
    """Server-Sent Events: ``progress`` snapshots, then one ``result`` or ``error`` event."""
    engine = engine_of(request)
    handle = engine.launches.get(name)

    async def events() -> AsyncIterator[str]:
        if handle is None:
            ws = await asyncio.to_thread(engine.lifecycle.get, name)
            yield encode_sse(_dump(ws), event="result")
            return
        async for snap in handle.plan.stream():
            yield encode_sse(snap.to_dict(), event="progress")
        while not handle.done:
            await asyncio.sleep(0.05)
        if handle.error is not None:
            yield encode_sse(to_problem(handle.error), event="error")
        else:
            yield encode_sse(_dump(handle.workstation), event="result")

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


@router.post("/workstations/{name}/{action}")
async def act(
    name: str,
    action: Literal["stop", "start", "hibernate", "resume"],
    request: Request,
) -> dict[str, Any]:
    lifecycle = engine_of(request).lifecycle
    notice = None
    if action == "hibernate":
        ws, notice = await asyncio.to_thread(lifecycle.hibernate, name)
    else:
        ws = await asyncio.to_thread(getattr(lifecycle, action), name)
    return {"workstation": _dump(ws), "notice": notice}


@router.delete("/workstations/{name}")
async def delete(name: str, request: Request) -> dict[str, Any]:
    ws = await asyncio.to_thread(engine_of(request).lifecycle.delete, name)
    return {"workstation": _dump(ws)}


def install(app: FastAPI, engine: Engine) -> None:
    app.state.engine = engine
    app.include_router(router)
    app.include_router(storage_api.router)
