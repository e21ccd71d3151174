"""prismd's API for storage care: the report with its recommendations, cleanup of unused
storage, and EFS volume backups (AWS Backup).
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.cloud import backup, storage
from prism.cloud.errors import aws_call
from prism.cloud.storage_model import (
    RecoveryPointList,
    RestoreJob,
    VolumeRestoreResult,
    VolumeResult,
)
from prism.daemon.engine import Engine
from prism.hygiene.care import StorageCare
from prism.hygiene.model import CleanupPlan, CleanupResult, StorageReportResult

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _emulated(engine: Engine) -> bool:
    """The sandbox, or an AWS profile pointed at another endpoint (an emulator, in the tests)."""
    return engine.session().simulated or bool(os.environ.get("AWS_ENDPOINT_URL"))


class CleanupBody(BaseModel):
    resource_ids: list[str] = Field(min_length=1, description="From the plan's candidates.")


class BackupBody(BaseModel):
    enabled: bool


class VolumeRestoreBody(BaseModel):
    name: str = Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$", description="The new volume.")
    at: datetime | None = Field(
        default=None, description="The newest recovery point at or before this time."
    )


@router.get("/storage/report", response_model=StorageReportResult)
async def storage_report(request: Request) -> StorageReportResult:
    care = StorageCare(_engine(request).costing)
    return StorageReportResult(report=await asyncio.to_thread(care.report))


@router.get("/storage/cleanup", response_model=CleanupResult)
async def cleanup_plan(request: Request, older_than_minutes: int = 0) -> CleanupResult:
    care = StorageCare(_engine(request).costing)
    candidates, simulated = await asyncio.to_thread(care.candidates, older_than_minutes)
    return CleanupResult(
        cleanup=CleanupPlan(
            candidates=candidates,
            monthly_saving_usd=round(sum(c.monthly_usd for c in candidates), 2),
            simulated=simulated,
        )
    )


@router.post("/storage/cleanup", response_model=CleanupResult)
async def cleanup(body: CleanupBody, request: Request) -> CleanupResult:
    care = StorageCare(_engine(request).costing)
    return CleanupResult(cleanup=await asyncio.to_thread(care.cleanup, body.resource_ids))


@router.post("/volumes/{name}/backup", response_model=VolumeResult)
async def set_backup(name: str, body: BackupBody, request: Request) -> VolumeResult:
    engine = _engine(request)

    def change() -> VolumeResult:
        cloud = engine.session()
        efs = cloud.client("efs")
        volume = storage.find_volume(efs, name)
        backup.set_backup(
            efs, volume.file_system_id, enabled=body.enabled, emulated=_emulated(engine)
        )
        found = next(v for v in storage.list_volumes(efs, with_backup=True) if v.name == name)
        return VolumeResult(volume=found, simulated=cloud.simulated)

    return await asyncio.to_thread(change)


def _arn(efs: Any, file_system_id: str) -> str:
    reply = aws_call("DescribeFileSystems", efs.describe_file_systems, FileSystemId=file_system_id)
    return str(reply["FileSystems"][0]["FileSystemArn"])


@router.get("/volumes/{name}/recovery-points", response_model=RecoveryPointList)
async def recovery_points(name: str, request: Request) -> RecoveryPointList:
    engine = _engine(request)

    def read() -> RecoveryPointList:
        cloud = engine.session()
        volume = storage.find_volume(cloud.client("efs"), name)
        points = backup.recovery_points(
            cloud.client("backup"),
            _arn(cloud.client("efs"), volume.file_system_id),
            emulated=_emulated(engine),
        )
        return RecoveryPointList(volume=name, recovery_points=points)

    return await asyncio.to_thread(read)


@router.post("/volumes/{name}/restore", status_code=202, response_model=VolumeRestoreResult)
async def restore_volume(
    name: str, body: VolumeRestoreBody, request: Request
) -> VolumeRestoreResult:
    engine = _engine(request)

    def restore() -> VolumeRestoreResult:
        cloud = engine.session()
        efs = cloud.client("efs")
        volume = storage.find_volume(efs, name)
        if any(v.name == body.name for v in storage.list_volumes(efs)):
            raise ToolError(
                "PRISM_VOLUME_EXISTS",
                f"A volume named {body.name!r} exists already.",
                suggestions=["Restore under another name: --as NEW"],
                exit_code=ExitCode.CONFLICT,
            )
        points = backup.recovery_points(
            cloud.client("backup"),
            _arn(efs, volume.file_system_id),
            emulated=_emulated(engine),
        )
        usable = [
            p
            for p in points
            if p.status == "COMPLETED" and (body.at is None or p.created <= body.at)
        ]
        if not usable:
            raise ToolError(
                "PRISM_BACKUP_NO_RECOVERY_POINT",
                f"{name} has no completed backup"
                + (f" at or before {body.at:%Y-%m-%d %H:%M}" if body.at else "")
                + ".",
                suggestions=[
                    f"See its recovery points: prism volume backups {name}",
                    f"Turn backups on (daily): prism volume backup {name} --on",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        point = usable[0]
        job = backup.start_restore(
            cloud.client("backup"),
            cloud.client("sts"),
            point,
            volume.file_system_id,
            body.name,
            emulated=_emulated(engine),
        )
        return VolumeRestoreResult(
            restore=RestoreJob(job_id=job, volume=body.name, recovery_point=point),
            notice=f"AWS Backup is restoring {name} as of {point.created:%Y-%m-%d %H:%M} into a"
            f" new file system; prism volume list shows it as {body.name} once AWS has made it.",
        )

    return await asyncio.to_thread(restore)
