"""Storage that outlives a workstation: EFS volumes (shared, mounted on many) and EBS storage
(one workstation at a time). AWS is the record: everything is found by its prism tags, and
which workstations use a volume is itself a tag, so there is no second copy to drift.
"""

from __future__ import annotations

import shlex
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call
from prism.cloud.instances import TAG_PROJECT
from prism.cloud.network import ensure_security_group
from prism.cloud.storage_model import Disk, Volume

__all__ = [
    "add_mount_targets",
    "adopt_restored",
    "attach_storage",
    "create_storage",
    "create_volume",
    "delete_storage",
    "delete_volume",
    "detach_storage",
    "find_storage",
    "find_volume",
    "list_storage",
    "list_volumes",
    "mount_script",
    "set_volume_mounts",
    "unmount_script",
]

TAG_VOLUME = "prism:volume"
TAG_STORAGE = "prism:storage"
TAG_MOUNTS = "prism:mounts"
NFS_PORT = 2049


def _tags(raw: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in raw or []}


def _not_found(kind: str, name: str, command: str) -> ToolError:
    return ToolError(
        f"PRISM_{kind.upper()}_NOT_FOUND",
        f"No {kind} named {name!r}.",
        suggestions=[f"See them with: prism {command} list"],
        exit_code=ExitCode.NOT_FOUND,
    )


def list_volumes(efs: Any, *, with_backup: bool = False) -> list[Volume]:
    """prism's volumes; ``with_backup`` asks each one's backup policy too (a call each)."""
    from prism.cloud.backup import backup_status  # deferred: most callers need no backups

    found = []
    for fs in aws_call("DescribeFileSystems", efs.describe_file_systems)["FileSystems"]:
        tags = _tags(fs.get("Tags"))
        if TAG_VOLUME not in tags:
            continue
        mounts = [m for m in tags.get(TAG_MOUNTS, "").split(",") if m]
        found.append(
            Volume(
                name=tags[TAG_VOLUME],
                file_system_id=fs["FileSystemId"],
                state=fs["LifeCycleState"],
                size_bytes=int(fs.get("SizeInBytes", {}).get("Value", 0)),
                mounted_on=mounts,
                created=str(fs.get("CreationTime", "")),
                project=tags.get(TAG_PROJECT),
                backup=backup_status(efs, fs["FileSystemId"]) if with_backup else None,
            )
        )
    return sorted(found, key=lambda v: v.name)


def find_volume(efs: Any, name: str) -> Volume:
    for volume in list_volumes(efs):
        if volume.name == name:
            return volume
    raise _not_found("volume", name, "volume")


def create_volume(
    efs: Any, ec2: Any, name: str, *, project: str | None = None, backup: bool = False
) -> Volume:
    """An encrypted file system with a mount target in every default subnet; ``backup`` turns
    on AWS Backup's automatic daily backups from the start.
    """
    if any(v.name == name for v in list_volumes(efs)):
        raise ToolError(
            "PRISM_VOLUME_EXISTS",
            f"A volume named {name!r} exists already.",
            suggestions=["Choose another name, or mount the existing one: prism volume mount"],
            exit_code=ExitCode.CONFLICT,
        )
    tags = {"Name": name, TAG_VOLUME: name, **({TAG_PROJECT: project} if project else {})}
    fs = aws_call(
        "CreateFileSystem",
        efs.create_file_system,
        CreationToken=f"prism-{name}",
        PerformanceMode="generalPurpose",
        Encrypted=True,
        Backup=backup,
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    add_mount_targets(efs, ec2, fs["FileSystemId"])
    return find_volume(efs, name)


def add_mount_targets(efs: Any, ec2: Any, file_system_id: str) -> None:
    """A mount target in every default subnet, behind a group that lets the VPC in on NFS."""
    subnets = aws_call(
        "DescribeSubnets",
        ec2.describe_subnets,
        Filters=[{"Name": "default-for-az", "Values": ["true"]}],
    )["Subnets"]
    if subnets:
        group = ensure_security_group(
            ec2,
            subnets[0]["VpcId"],
            "prism-efs",
            ssh_ports=[],
            web_ports=[NFS_PORT],
            web_cidr=_vpc_cidr(ec2, subnets[0]["VpcId"]),
        )
        for subnet in subnets:
            aws_call(
                "CreateMountTarget",
                efs.create_mount_target,
                FileSystemId=file_system_id,
                SubnetId=subnet["SubnetId"],
                SecurityGroups=[group],
            )


def adopt_restored(efs: Any, ec2: Any) -> list[str]:
    """File systems AWS Backup restored for `prism volume restore`, named by their creation
    token: tagged as the volume asked for and given mount targets. Their names.
    """
    from prism.cloud.backup import RESTORE_TOKEN_PREFIX

    adopted = []
    for fs in aws_call("DescribeFileSystems", efs.describe_file_systems)["FileSystems"]:
        token = str(fs.get("CreationToken", ""))
        tags = _tags(fs.get("Tags"))
        if not token.startswith(RESTORE_TOKEN_PREFIX) or TAG_VOLUME in tags:
            continue
        if fs.get("LifeCycleState") != "available":
            continue
        name = token.removeprefix(RESTORE_TOKEN_PREFIX)
        aws_call(
            "TagResource",
            efs.tag_resource,
            ResourceId=fs["FileSystemId"],
            Tags=[{"Key": "Name", "Value": name}, {"Key": TAG_VOLUME, "Value": name}],
        )
        add_mount_targets(efs, ec2, fs["FileSystemId"])
        adopted.append(name)
    return adopted


def _vpc_cidr(ec2: Any, vpc_id: str) -> str:
    vpc = aws_call("DescribeVpcs", ec2.describe_vpcs, VpcIds=[vpc_id])["Vpcs"][0]
    return str(vpc["CidrBlock"])


def set_volume_mounts(efs: Any, volume: Volume, mounted_on: list[str]) -> None:
    aws_call(
        "TagResource",
        efs.tag_resource,
        ResourceId=volume.file_system_id,
        Tags=[{"Key": TAG_MOUNTS, "Value": ",".join(sorted(set(mounted_on)))}],
    )


def delete_volume(efs: Any, name: str, *, force: bool = False) -> Volume:
    volume = find_volume(efs, name)
    if volume.mounted_on and not force:
        raise ToolError(
            "PRISM_VOLUME_IN_USE",
            f"The volume {name!r} is mounted on {', '.join(volume.mounted_on)}.",
            suggestions=[
                f"Unmount it first: prism volume unmount {name} WORKSTATION",
                "Or delete it anyway with --force (the workstations lose their files there).",
            ],
            exit_code=ExitCode.CONFLICT,
        )
    targets = aws_call(
        "DescribeMountTargets", efs.describe_mount_targets, FileSystemId=volume.file_system_id
    )["MountTargets"]
    for target in targets:
        aws_call(
            "DeleteMountTarget", efs.delete_mount_target, MountTargetId=target["MountTargetId"]
        )
    aws_call("DeleteFileSystem", efs.delete_file_system, FileSystemId=volume.file_system_id)
    return volume


def mount_script(volume: Volume, region: str, mount_point: str) -> str:
    """Shell that mounts a volume over NFS 4.1 now and at every boot; safe to run twice."""
    host = f"{volume.file_system_id}.efs.{region}.amazonaws.com"
    point = shlex.quote(mount_point)
    entry = shlex.quote(f"{host}:/ {mount_point} nfs4 nfsvers=4.1,_netdev,nofail 0 0")
    return "\n".join(
        [
            "set -euo pipefail",
            f"mkdir -p {point}",
            f"grep -qsF {shlex.quote(host + ':/')} /etc/fstab || echo {entry} >> /etc/fstab",
            f"mountpoint -q {point} || mount {point}",
        ]
    )


def unmount_script(volume: Volume, mount_point: str) -> str:
    host = f"{volume.file_system_id}.efs."
    point = shlex.quote(mount_point)
    return "\n".join(
        [
            "set -euo pipefail",
            f"if mountpoint -q {point}; then umount {point}; fi",
            f"sed -i '\\#{host}#d' /etc/fstab",
        ]
    )


def list_storage(ec2: Any) -> list[Disk]:
    reply = aws_call(
        "DescribeVolumes",
        ec2.describe_volumes,
        Filters=[{"Name": "tag-key", "Values": [TAG_STORAGE]}],
    )
    found = []
    for raw in reply["Volumes"]:
        tags = _tags(raw.get("Tags"))
        attachments = [a for a in raw.get("Attachments", []) if a.get("State") != "detached"]
        found.append(
            Disk(
                name=tags[TAG_STORAGE],
                volume_id=raw["VolumeId"],
                size_gb=int(raw["Size"]),
                volume_type=raw.get("VolumeType", "gp3"),
                state=raw["State"],
                availability_zone=raw["AvailabilityZone"],
                attached_to=attachments[0]["InstanceId"] if attachments else None,
                device=attachments[0].get("Device") if attachments else None,
                project=tags.get(TAG_PROJECT),
                created=str(raw.get("CreateTime", "")) or None,
            )
        )
    return sorted(found, key=lambda s: s.name)


def find_storage(ec2: Any, name: str) -> Disk:
    for storage in list_storage(ec2):
        if storage.name == name:
            return storage
    raise _not_found("storage", name, "storage")


def create_storage(
    ec2: Any,
    name: str,
    *,
    size_gb: int,
    volume_type: str,
    availability_zone: str,
    project: str | None = None,
) -> Disk:
    if any(s.name == name for s in list_storage(ec2)):
        raise ToolError(
            "PRISM_STORAGE_EXISTS",
            f"Storage named {name!r} exists already.",
            suggestions=["Choose another name, or attach the existing one: prism storage attach"],
            exit_code=ExitCode.CONFLICT,
        )
    aws_call(
        "CreateVolume",
        ec2.create_volume,
        AvailabilityZone=availability_zone,
        Size=size_gb,
        VolumeType=volume_type,
        Encrypted=True,
        TagSpecifications=[
            {
                "ResourceType": "volume",
                "Tags": [
                    {"Key": "Name", "Value": name},
                    {"Key": TAG_STORAGE, "Value": name},
                    *([{"Key": TAG_PROJECT, "Value": project}] if project else []),
                ],
            }
        ],
    )
    return find_storage(ec2, name)


def attach_storage(
    ec2: Any, storage: Disk, *, instance_id: str, instance_zone: str | None, device: str
) -> None:
    if storage.attached_to:
        raise ToolError(
            "PRISM_STORAGE_IN_USE",
            f"{storage.name} is attached to {storage.attached_to} already.",
            suggestions=[f"Detach it first: prism storage detach {storage.name}"],
            exit_code=ExitCode.CONFLICT,
        )
    if instance_zone and instance_zone != storage.availability_zone:
        raise ToolError(
            "PRISM_STORAGE_WRONG_ZONE",
            f"{storage.name} is in {storage.availability_zone} but the workstation is in"
            f" {instance_zone}; EBS storage attaches only within its zone.",
            suggestions=[
                "Create storage in the workstation's zone: prism storage create NAME"
                " --workstation WORKSTATION",
            ],
            exit_code=ExitCode.CONFLICT,
        )
    aws_call(
        "AttachVolume",
        ec2.attach_volume,
        VolumeId=storage.volume_id,
        InstanceId=instance_id,
        Device=device,
    )


def detach_storage(ec2: Any, storage: Disk) -> None:
    if not storage.attached_to:
        raise ToolError(
            "PRISM_STORAGE_NOT_ATTACHED",
            f"{storage.name} is not attached to any workstation.",
            suggestions=["Nothing to do; attach it with: prism storage attach NAME WORKSTATION"],
            exit_code=ExitCode.CONFLICT,
        )
    aws_call(
        "DetachVolume",
        ec2.detach_volume,
        VolumeId=storage.volume_id,
        InstanceId=storage.attached_to,
        Device=storage.device or "/dev/sdf",
    )


def delete_storage(ec2: Any, name: str) -> Disk:
    storage = find_storage(ec2, name)
    if storage.attached_to:
        raise ToolError(
            "PRISM_STORAGE_IN_USE",
            f"{name} is attached to {storage.attached_to}; deleting it would pull a disk from"
            " under a workstation.",
            suggestions=[f"Detach it first: prism storage detach {name}"],
            exit_code=ExitCode.CONFLICT,
        )
    aws_call("DeleteVolume", ec2.delete_volume, VolumeId=storage.volume_id)
    return storage
