"""prismd's API for snapshots (create, list, delete, restore as a new workstation) and for
saving a workstation as an image a new template launches.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.choices import Size
from prism.cloud import snapshots
from prism.cloud.instances import architecture_of
from prism.cloud.snapshot_model import SaveResult, SnapshotList, SnapshotResult
from prism.daemon.engine import Engine, LaunchHandle
from prism.templates.catalog import catalog_for
from prism.templates.info import template_info
from prism.workstations.launch import LaunchRequest
from prism.workstations.results import LaunchResult

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
NAME = r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$"


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _per_gb_month(engine: Engine) -> float:
    cloud = engine.session()
    return engine.costing.storage_prices.snapshot_gb_month(cloud.region)


class SnapshotBody(BaseModel):
    workstation: str
    name: str | None = Field(default=None, pattern=NAME, description="Default: WORKSTATION-DATE.")
    note: str = Field(default="", max_length=250)


class RestoreBody(BaseModel):
    name: str = Field(pattern=NAME, description="The new workstation's name.")
    size: Size | None = Field(default=None, description="Default: the snapshot's workstation's.")
    wait: bool = True
    template_dirs: list[str] = Field(default_factory=list)


class SaveBody(BaseModel):
    workstation: str
    template: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    reboot: bool = True
    force: bool = False


@router.get("/snapshots", response_model=SnapshotList)
async def list_snapshots(request: Request) -> SnapshotList:
    engine = _engine(request)

    def read() -> SnapshotList:
        ec2 = engine.session().client("ec2")
        return SnapshotList(snapshots=snapshots.list_snapshots(ec2, _per_gb_month(engine)))

    return await asyncio.to_thread(read)


@router.post("/snapshots", status_code=201, response_model=SnapshotResult)
async def create_snapshot(body: SnapshotBody, request: Request) -> SnapshotResult:
    engine = _engine(request)

    def create() -> SnapshotResult:
        ws = engine.lifecycle.get(body.workstation)
        cloud = engine.session_for(ws)
        ec2 = cloud.client("ec2")
        name = body.name or f"{ws.name}-{engine.clock.now():%Y%m%d-%H%M%S}"
        per_gb = _per_gb_month(engine)
        if any(s.name == name for s in snapshots.list_snapshots(ec2, per_gb)):
            raise ToolError(
                "PRISM_SNAPSHOT_EXISTS",
                f"A snapshot named {name!r} exists already.",
                suggestions=["Choose another name with --name, or leave it out for a dated one."],
                exit_code=ExitCode.CONFLICT,
            )
        snapshots.create_snapshot(ec2, ws, name, body.note)
        engine.costing.forget_scan()
        return SnapshotResult(
            snapshot=snapshots.find_snapshot(ec2, name, per_gb), simulated=cloud.simulated
        )

    return await asyncio.to_thread(create)


@router.delete("/snapshots/{name}", response_model=SnapshotResult)
async def delete_snapshot(name: str, request: Request) -> SnapshotResult:
    engine = _engine(request)

    def delete() -> SnapshotResult:
        cloud = engine.session()
        ec2 = cloud.client("ec2")
        found = snapshots.find_snapshot(ec2, name, _per_gb_month(engine))
        snapshots.delete_snapshot(ec2, found)
        engine.costing.ledger.deleted([d.snapshot_id for d in found.disks], engine.clock.now())
        engine.costing.forget_scan()
        return SnapshotResult(snapshot=found, simulated=cloud.simulated)

    return await asyncio.to_thread(delete)


@router.post(
    "/snapshots/{name}/restore",
    status_code=202,
    response_model=LaunchResult,
)
async def restore_snapshot(name: str, body: RestoreBody, request: Request) -> LaunchResult:
    """A new workstation from the snapshot's disks: launched like any other (its progress
    streams the same way), from an image registered for it and deregistered once it runs.
    """
    engine = _engine(request)

    def restore() -> LaunchHandle:
        cloud = engine.session()
        ec2 = cloud.client("ec2")
        found = snapshots.find_snapshot(ec2, name, _per_gb_month(engine))
        architecture = architecture_of(ec2, found.instance_type)
        root = next(d for d in found.disks if d.root)
        image = snapshots.register_restore_image(ec2, found, architecture, body.name)
        request_ = LaunchRequest(
            template=found.template,
            name=body.name,
            size=body.size or found.size,
            project=found.project,
            image_id=image,
            restored_from=found.name,
            root_volume_gb=root.size_gb,
            data_disks_gb=found.size_gb - root.size_gb,
            template_dirs=tuple(body.template_dirs),
        )

        def forget_image(_handle: LaunchHandle) -> None:
            snapshots.deregister_image(ec2, image)

        try:
            return engine.launch(request_, wait=body.wait, after=forget_image)
        except ToolError:
            snapshots.deregister_image(ec2, image)
            raise

    handle = await asyncio.to_thread(restore)
    return LaunchResult(
        workstation=handle.workstation, progress=f"/api/v1/workstations/{body.name}/progress"
    )


@router.post("/images", status_code=201, response_model=SaveResult)
async def save_workstation(body: SaveBody, request: Request) -> SaveResult:
    """An image of the workstation, and a template of yours that launches it."""
    from prism.templates.authoring.saved import write_saved_template  # deferred: YAML writing

    engine = _engine(request)

    def save() -> SaveResult:
        ws = engine.lifecycle.get(body.workstation)
        target = engine.home / "templates" / f"{body.template}.yml"
        if target.exists() and not body.force:
            raise ToolError(
                "PRISM_TEMPLATE_EXISTS",
                f"A template file {target} exists already.",
                suggestions=["Choose another name, or replace it with --force."],
                exit_code=ExitCode.CONFLICT,
            )
        cloud = engine.session_for(ws)
        ec2 = cloud.client("ec2")
        image = snapshots.save_image(
            ec2,
            ws,
            body.template,
            reboot=body.reboot,
            architecture_of=lambda t: architecture_of(ec2, t),
        )
        write_saved_template(engine.home, body.template, ws, image, force=True)
        engine.costing.forget_scan()
        detail = template_info(engine.home, catalog_for(engine.home, []), body.template).template
        notice = None
        if image.state != "available":
            notice = (
                f"AWS is still copying {ws.name}'s disks into {image.image_id} (minutes, more"
                f" for large disks): prism launch {body.template} NAME works once it is"
                " available."
            )
        return SaveResult(image=image, template=detail, notice=notice)

    return await asyncio.to_thread(save)
