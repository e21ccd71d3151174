"""Everything prism made that stores data, as AWS reports it now: EBS disks (`prism storage`),
EFS volumes (`prism volume`) and snapshots (`prism snapshot`, and the disks of images
`prism save` made). Cost, budgets, `storage report` and `storage cleanup` all read this one scan.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prism.cloud.errors import aws_call
from prism.cloud.instances import TAG_PROJECT, TAG_WORKSPACE
from prism.cloud.session import CloudSession
from prism.cloud.storage import TAG_MOUNTS, TAG_STORAGE, TAG_VOLUME
from prism.cost.ledger import LedgerEntry

__all__ = ["TAG_IMAGE", "TAG_SNAPSHOT", "aws_time", "root_disks", "scan", "tags_of"]

TAG_SNAPSHOT = "prism:snapshot"
TAG_IMAGE = "prism:image"
GIB = 1024**3


def tags_of(raw: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in raw or []}


def aws_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now(UTC)


def scan(cloud: CloudSession) -> list[LedgerEntry]:
    base = {
        "profile": cloud.profile.name,
        "region": cloud.region,
        "simulated": cloud.simulated,
    }
    return [*_disks(cloud, base), *_volumes(cloud, base), *_snapshots(cloud, base)]


def _disks(cloud: CloudSession, base: dict[str, Any]) -> list[LedgerEntry]:
    ec2 = cloud.client("ec2")
    found = []
    reply = aws_call(
        "DescribeVolumes",
        ec2.describe_volumes,
        Filters=[{"Name": "tag-key", "Values": [TAG_STORAGE]}],
    )
    for raw in reply["Volumes"]:
        tags = tags_of(raw.get("Tags"))
        attached = [a for a in raw.get("Attachments", []) if a.get("State") != "detached"]
        found.append(
            LedgerEntry(
                kind="disk",
                resource_id=raw["VolumeId"],
                name=tags[TAG_STORAGE],
                size_gb=float(raw["Size"]),
                volume_type=raw.get("VolumeType", "gp3"),
                project=tags.get(TAG_PROJECT),
                workstation=tags.get(TAG_WORKSPACE),
                attached_to=attached[0]["InstanceId"] if attached else None,
                created_at=aws_time(raw.get("CreateTime")),
                **base,
            )
        )
    return found


def _volumes(cloud: CloudSession, base: dict[str, Any]) -> list[LedgerEntry]:
    efs = cloud.client("efs")
    found = []
    for fs in aws_call("DescribeFileSystems", efs.describe_file_systems)["FileSystems"]:
        tags = tags_of(fs.get("Tags"))
        if TAG_VOLUME not in tags:
            continue
        found.append(
            LedgerEntry(
                kind="volume",
                resource_id=fs["FileSystemId"],
                name=tags[TAG_VOLUME],
                size_gb=int(fs.get("SizeInBytes", {}).get("Value", 0)) / GIB,
                volume_type="efs-standard",
                project=tags.get(TAG_PROJECT),
                mounted_on=[m for m in tags.get(TAG_MOUNTS, "").split(",") if m],
                created_at=aws_time(fs.get("CreationTime")),
                **base,
            )
        )
    return found


def _snapshots(cloud: CloudSession, base: dict[str, Any]) -> list[LedgerEntry]:
    ec2 = cloud.client("ec2")
    seen: dict[str, dict[str, Any]] = {}
    # One call per tag: the emulator answers a tag-key filter of two values with nothing.
    for tag in (TAG_SNAPSHOT, TAG_IMAGE):
        reply = aws_call(
            "DescribeSnapshots",
            ec2.describe_snapshots,
            OwnerIds=["self"],
            Filters=[{"Name": "tag-key", "Values": [tag]}],
        )
        seen.update({raw["SnapshotId"]: raw for raw in reply["Snapshots"]})
    found = []
    for raw in seen.values():
        tags = tags_of(raw.get("Tags"))
        name = tags.get(TAG_SNAPSHOT) or f"image {tags.get(TAG_IMAGE, '?')}"
        found.append(
            LedgerEntry(
                kind="snapshot",
                resource_id=raw["SnapshotId"],
                name=name,
                size_gb=float(raw.get("VolumeSize", 0)),
                volume_type="snapshot",
                project=tags.get(TAG_PROJECT),
                workstation=tags.get(TAG_WORKSPACE),
                created_at=aws_time(raw.get("StartTime")),
                **base,
            )
        )
    return found


def root_disks(cloud: CloudSession) -> list[LedgerEntry]:
    """Disks tagged for a workstation that are not prism storage: root disks (and disks
    restored with a workstation), attached, or left behind by one.
    """
    ec2 = cloud.client("ec2")
    reply = aws_call(
        "DescribeVolumes",
        ec2.describe_volumes,
        Filters=[{"Name": "tag-key", "Values": [TAG_WORKSPACE]}],
    )
    found = []
    for raw in reply["Volumes"]:
        tags = tags_of(raw.get("Tags"))
        if TAG_STORAGE in tags:
            continue
        attached = [a for a in raw.get("Attachments", []) if a.get("State") != "detached"]
        device = attached[0]["Device"] if attached else "disk"
        found.append(
            LedgerEntry(
                kind="root",
                resource_id=raw["VolumeId"],
                name=f"{tags[TAG_WORKSPACE]} {device}",
                profile=cloud.profile.name,
                region=cloud.region,
                simulated=cloud.simulated,
                size_gb=float(raw["Size"]),
                volume_type=raw.get("VolumeType", "gp3"),
                project=tags.get(TAG_PROJECT),
                workstation=tags[TAG_WORKSPACE],
                attached_to=attached[0]["InstanceId"] if attached else None,
                created_at=aws_time(raw.get("CreateTime")),
            )
        )
    return found
