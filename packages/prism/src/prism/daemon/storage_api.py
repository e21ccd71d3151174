"""prismd's API for EFS volumes, EBS storage (disks) and cost."""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.choices import CostBy, DiskType
from prism.cloud import storage
from prism.cloud.errors import aws_call
from prism.cloud.storage_model import (
    DiskList,
    DiskResult,
    VolumeList,
    VolumeMount,
    VolumeResult,
)
from prism.cost.model import CostReport
from prism.daemon.engine import Engine
from prism.workstations.model import Workstation, WorkstationState

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


class VolumeBody(BaseModel):
    name: str = Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$")
    project: str | None = None
    backup: bool = Field(default=False, description="AWS Backup's daily backups from the start.")


class MountBody(BaseModel):
    workstation: str
    mount_point: str = Field(default="", pattern=r"^(/[A-Za-z0-9._/-]*)?$")


class StorageBody(BaseModel):
    name: str = Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$")
    size_gb: int = Field(default=100, ge=1, le=16384)
    volume_type: DiskType = DiskType.GP3
    workstation: str | None = None
    project: str | None = None


class AttachBody(BaseModel):
    workstation: str
    device: str = Field(default="/dev/sdf", pattern=r"^/dev/(sd|xvd)[f-p]$")


def _running(engine: Engine, name: str) -> Workstation:
    ws = engine.lifecycle.get(name)
    if ws.state is not WorkstationState.RUNNING or not ws.instance_id:
        raise ToolError(
            "PRISM_WORKSTATION_NOT_RUNNING",
            f"{name} is {ws.state}; mounting needs it running.",
            suggestions=[f"Start it first: prism start {name}"],
            exit_code=ExitCode.CONFLICT,
        )
    return ws


def _run_script(engine: Engine, ws: Workstation, script: str, what: str) -> str:
    ssm = engine.session_for(ws).client("ssm")
    reply = aws_call(
        "SendCommand",
        ssm.send_command,
        InstanceIds=[ws.instance_id],
        DocumentName="AWS-RunShellScript",
        Comment=what[:100],
        Parameters={"commands": script.splitlines()},
    )
    return str(reply["Command"]["CommandId"])


@router.get("/volumes", response_model=VolumeList)
async def list_volumes(request: Request) -> VolumeList:
    cloud = _engine(request).session()

    def read() -> VolumeList:
        efs = cloud.client("efs")
        storage.adopt_restored(efs, cloud.client("ec2"))
        return VolumeList(volumes=storage.list_volumes(efs, with_backup=True))

    return await asyncio.to_thread(read)


@router.post("/volumes", status_code=201, response_model=VolumeResult)
async def create_volume(body: VolumeBody, request: Request) -> VolumeResult:
    engine = _engine(request)

    def create() -> VolumeResult:
        if body.project:
            engine.projects.get(body.project)
        cloud = engine.session()
        efs = cloud.client("efs")
        storage.create_volume(
            efs, cloud.client("ec2"), body.name, project=body.project, backup=body.backup
        )
        engine.costing.forget_scan()
        found = next(v for v in storage.list_volumes(efs, with_backup=True) if v.name == body.name)
        return VolumeResult(volume=found, simulated=cloud.simulated)

    return await asyncio.to_thread(create)


@router.delete("/volumes/{name}", response_model=VolumeResult)
async def delete_volume(name: str, request: Request, force: bool = False) -> VolumeResult:
    engine = _engine(request)
    cloud = engine.session()
    volume = await asyncio.to_thread(storage.delete_volume, cloud.client("efs"), name, force=force)
    engine.costing.ledger.deleted([volume.file_system_id], engine.clock.now())
    engine.costing.forget_scan()
    return VolumeResult(volume=volume, simulated=cloud.simulated)


def _simulated_notice(simulated: bool, done: str, workstation: str) -> str | None:
    if not simulated:
        return None
    return (
        f"Simulated by the sandbox: {workstation} is no machine, so nothing was {done} on one;"
        f" only the volume's record says it is {done} there now."
    )


@router.post("/volumes/{name}/mount", response_model=VolumeResult)
async def mount_volume(name: str, body: MountBody, request: Request) -> VolumeResult:
    engine = _engine(request)

    def mount() -> VolumeResult:
        ws = _running(engine, body.workstation)
        cloud = engine.session_for(ws)
        efs = cloud.client("efs")
        volume = storage.find_volume(efs, name)
        point = body.mount_point or f"/mnt/{name}"
        command = _run_script(
            engine, ws, storage.mount_script(volume, cloud.region, point), f"mount {name}"
        )
        storage.set_volume_mounts(efs, volume, [*volume.mounted_on, ws.name])
        return VolumeResult(
            volume=storage.find_volume(efs, name),
            simulated=cloud.simulated,
            mount=VolumeMount(workstation=ws.name, mount_point=point, command_id=command),
            notice=_simulated_notice(cloud.simulated, "mounted", ws.name),
        )

    return await asyncio.to_thread(mount)


@router.post("/volumes/{name}/unmount", response_model=VolumeResult)
async def unmount_volume(name: str, body: MountBody, request: Request) -> VolumeResult:
    engine = _engine(request)

    def unmount() -> VolumeResult:
        ws = engine.lifecycle.get(body.workstation)
        cloud = engine.session_for(ws)
        efs = cloud.client("efs")
        volume = storage.find_volume(efs, name)
        if ws.name not in volume.mounted_on:
            raise ToolError(
                "PRISM_VOLUME_NOT_MOUNTED",
                f"{name} is not mounted on {ws.name}.",
                suggestions=["See where it is mounted: prism volume list"],
                exit_code=ExitCode.CONFLICT,
            )
        point = body.mount_point or f"/mnt/{name}"
        command = None
        if ws.state is WorkstationState.RUNNING:
            command = _run_script(
                engine, ws, storage.unmount_script(volume, point), f"unmount {name}"
            )
        storage.set_volume_mounts(efs, volume, [m for m in volume.mounted_on if m != ws.name])
        return VolumeResult(
            volume=storage.find_volume(efs, name),
            simulated=cloud.simulated,
            mount=VolumeMount(workstation=ws.name, mount_point=point, command_id=command),
            notice=_simulated_notice(cloud.simulated, "unmounted", ws.name),
        )

    return await asyncio.to_thread(unmount)


@router.get("/storage", response_model=DiskList)
async def list_storage(request: Request) -> DiskList:
    ec2 = _engine(request).session().client("ec2")
    return DiskList(disks=await asyncio.to_thread(storage.list_storage, ec2))


@router.post("/storage", status_code=201, response_model=DiskResult)
async def create_storage(body: StorageBody, request: Request) -> DiskResult:
    engine = _engine(request)

    def create() -> DiskResult:
        cloud = engine.session()
        zone = f"{cloud.region}a"
        project = body.project
        if body.workstation:
            ws = engine.lifecycle.get(body.workstation)
            zone = ws.availability_zone or zone
            project = project or ws.project
        if project:
            engine.projects.get(project)
        created = storage.create_storage(
            cloud.client("ec2"),
            body.name,
            size_gb=body.size_gb,
            volume_type=body.volume_type,
            availability_zone=zone,
            project=project,
        )
        engine.costing.forget_scan()
        return DiskResult(disk=created, simulated=cloud.simulated)

    return await asyncio.to_thread(create)


@router.post("/storage/{name}/attach", response_model=DiskResult)
async def attach_storage(name: str, body: AttachBody, request: Request) -> DiskResult:
    engine = _engine(request)

    def attach() -> DiskResult:
        ws = engine.lifecycle.get(body.workstation)
        if not ws.instance_id:
            raise ToolError(
                "PRISM_WORKSTATION_NOT_LAUNCHED",
                f"{ws.name} has no instance yet.",
                suggestions=["Wait for the launch to finish: prism list"],
                exit_code=ExitCode.CONFLICT,
            )
        cloud = engine.session_for(ws)
        ec2 = cloud.client("ec2")
        found = storage.find_storage(ec2, name)
        storage.attach_storage(
            ec2,
            found,
            instance_id=ws.instance_id,
            instance_zone=ws.availability_zone,
            device=body.device,
        )
        return DiskResult(disk=storage.find_storage(ec2, name), simulated=cloud.simulated)

    return await asyncio.to_thread(attach)


@router.post("/storage/{name}/detach", response_model=DiskResult)
async def detach_storage(name: str, request: Request) -> DiskResult:
    cloud = _engine(request).session()
    ec2 = cloud.client("ec2")

    def detach() -> DiskResult:
        storage.detach_storage(ec2, storage.find_storage(ec2, name))
        return DiskResult(disk=storage.find_storage(ec2, name), simulated=cloud.simulated)

    return await asyncio.to_thread(detach)


@router.delete("/storage/{name}", response_model=DiskResult)
async def delete_storage(name: str, request: Request) -> DiskResult:
    engine = _engine(request)
    cloud = engine.session()
    disk = await asyncio.to_thread(storage.delete_storage, cloud.client("ec2"), name)
    engine.costing.ledger.deleted([disk.volume_id], engine.clock.now())
    engine.costing.forget_scan()
    return DiskResult(disk=disk, simulated=cloud.simulated)


@router.get("/cost", response_model=CostReport)
async def cost(
    request: Request,
    name: str | None = None,
    project: str | None = None,
    by: CostBy | None = None,
    since: datetime | None = None,
) -> CostReport:
    engine = _engine(request)

    def compute() -> CostReport:
        if name:
            engine.lifecycle.store.require(name)
        if project:
            engine.projects.get(project)
        engine.lifecycle.list()  # states reconciled with EC2 before they are priced
        return engine.costing.report(name=name, project=project, by=by, since=since)

    return await asyncio.to_thread(compute)
