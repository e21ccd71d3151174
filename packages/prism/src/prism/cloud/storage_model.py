"""EFS volumes and EBS disks as prism answers about them, from the API and the CLI alike."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "Disk",
    "DiskList",
    "DiskResult",
    "RecoveryPoint",
    "RecoveryPointList",
    "RestoreJob",
    "Volume",
    "VolumeList",
    "VolumeMount",
    "VolumeRestoreResult",
    "VolumeResult",
]


class Volume(BaseModel):
    """An EFS file system prism created: shared, mountable on many workstations."""

    name: str
    file_system_id: str
    state: str
    size_bytes: int
    mounted_on: list[str] = Field(description="Workstations it is mounted on.")
    created: str
    project: str | None = None
    backup: str | None = Field(
        default=None,
        description="AWS Backup's automatic backups: ENABLED, DISABLED, ENABLING, DISABLING.",
    )


class VolumeMount(BaseModel):
    workstation: str
    mount_point: str
    command_id: str | None = Field(
        default=None, description="The SSM command that ran the mount on the workstation."
    )


class VolumeList(BaseModel):
    volumes: list[Volume]


class VolumeResult(BaseModel):
    """One volume: what create, mount, unmount and delete answer."""

    volume: Volume
    simulated: bool = False
    mount: VolumeMount | None = Field(default=None, description="Set by mount and unmount.")
    notice: str | None = Field(
        default=None, description="What the sandbox did instead (it has no machine to mount on)."
    )


class Disk(BaseModel):
    """An EBS volume prism created (`prism storage`): one workstation at a time, one zone."""

    name: str
    volume_id: str
    size_gb: int
    volume_type: str = Field(description="gp3, gp2, io2, st1 or sc1")
    state: str
    availability_zone: str
    attached_to: str | None = Field(default=None, description="The instance it is attached to.")
    device: str | None = None
    project: str | None = None
    created: str | None = None


class DiskList(BaseModel):
    disks: list[Disk]


class DiskResult(BaseModel):
    """One disk: what create, attach, detach and delete answer."""

    disk: Disk
    simulated: bool = False


class RecoveryPoint(BaseModel):
    """One backup of a volume (AWS Backup's recovery point)."""

    arn: str
    created: datetime
    status: str
    size_bytes: int | None = None


class RecoveryPointList(BaseModel):
    volume: str
    recovery_points: list[RecoveryPoint] = Field(description="Newest first.")


class RestoreJob(BaseModel):
    job_id: str
    volume: str = Field(description="The name the restored volume gets.")
    recovery_point: RecoveryPoint


class VolumeRestoreResult(BaseModel):
    restore: RestoreJob
    notice: str
