"""EFS volumes and EBS disks as prism answers about them, from the API and the CLI alike."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "Disk",
    "DiskList",
    "DiskResult",
    "Volume",
    "VolumeList",
    "VolumeMount",
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


class DiskList(BaseModel):
    disks: list[Disk]


class DiskResult(BaseModel):
    """One disk: what create, attach, detach and delete answer."""

    disk: Disk
    simulated: bool = False
