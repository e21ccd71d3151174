"""Snapshots of a workstation's disks, and images made from a workstation or from a snapshot.

Like storage, AWS is the record: a snapshot is the EBS snapshots tagged ``prism:snapshot`` with
one name, each also tagged with what a restore needs (the workstation's template, instance type
and size, the disk's device, which disk was the root). A workstation's snapshots are
crash-consistent: taken while it runs, like pulling the plug.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call
from prism.cloud.instances import TAG_PROJECT, TAG_TEMPLATE, TAG_WORKSPACE
from prism.cloud.inventory import TAG_IMAGE, TAG_SNAPSHOT, aws_time, tags_of
from prism.cloud.snapshot_model import SavedImage, Snapshot, SnapshotDisk
from prism.workstations.model import Workstation

__all__ = [
    "create_snapshot",
    "delete_snapshot",
    "deregister_image",
    "find_snapshot",
    "list_snapshots",
    "register_restore_image",
    "save_image",
]

TAG_DEVICE = "prism:device"
TAG_ROOT = "prism:root"
TAG_TYPE = "prism:instance-type"
TAG_SIZE = "prism:size"
TAG_NOTE = "prism:note"
_STATE_ORDER = ("error", "pending", "completed")


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items() if v]


def _root_device(ec2: Any, instance_id: str) -> str:
    reply = aws_call("DescribeInstances", ec2.describe_instances, InstanceIds=[instance_id])
    instance = reply["Reservations"][0]["Instances"][0]
    return str(instance.get("RootDeviceName", "/dev/sda1"))


def list_snapshots(ec2: Any, gb_month_usd: float) -> list[Snapshot]:
    reply = aws_call(
        "DescribeSnapshots",
        ec2.describe_snapshots,
        OwnerIds=["self"],
        Filters=[{"Name": "tag-key", "Values": [TAG_SNAPSHOT]}],
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for raw in reply["Snapshots"]:
        groups.setdefault(tags_of(raw.get("Tags"))[TAG_SNAPSHOT], []).append(raw)
    found = []
    for name, members in groups.items():
        first = tags_of(members[0].get("Tags"))
        disks = [
            SnapshotDisk(
                snapshot_id=raw["SnapshotId"],
                device=tags_of(raw.get("Tags")).get(TAG_DEVICE, "/dev/sda1"),
                size_gb=int(raw.get("VolumeSize", 0)),
                root=tags_of(raw.get("Tags")).get(TAG_ROOT) == "true",
                state=raw.get("State", "pending"),
            )
            for raw in members
        ]
        disks.sort(key=lambda d: (not d.root, d.device))
        size = sum(d.size_gb for d in disks)
        states = {d.state for d in disks}
        found.append(
            Snapshot(
                name=name,
                workstation=first.get(TAG_WORKSPACE, ""),
                template=first.get(TAG_TEMPLATE, ""),
                instance_type=first.get(TAG_TYPE, ""),
                size=first.get(TAG_SIZE) or None,
                project=first.get(TAG_PROJECT),
                note=first.get(TAG_NOTE, ""),
                created=min(aws_time(raw["StartTime"]) for raw in members),
                state=next(s for s in (*_STATE_ORDER, *states) if s in states),
                disks=disks,
                size_gb=size,
                monthly_usd=round(size * gb_month_usd, 2),
            )
        )
    return sorted(found, key=lambda s: s.created)


def find_snapshot(ec2: Any, name: str, gb_month_usd: float) -> Snapshot:
    for snapshot in list_snapshots(ec2, gb_month_usd):
        if snapshot.name == name:
            return snapshot
    raise ToolError(
        "PRISM_SNAPSHOT_NOT_FOUND",
        f"No snapshot named {name!r}.",
        suggestions=["See them: prism snapshot list"],
        exit_code=ExitCode.NOT_FOUND,
    )


def create_snapshot(ec2: Any, ws: Workstation, name: str, note: str) -> list[str]:
    """A snapshot of each disk attached to the workstation; their ids."""
    if not ws.instance_id:
        raise ToolError(
            "PRISM_WORKSTATION_NOT_LAUNCHED",
            f"{ws.name} has no instance, so no disks to snapshot.",
            suggestions=["Wait for its launch to finish: prism list"],
            exit_code=ExitCode.CONFLICT,
        )
    root = _root_device(ec2, ws.instance_id)
    volumes = aws_call(
        "DescribeVolumes",
        ec2.describe_volumes,
        Filters=[{"Name": "attachment.instance-id", "Values": [ws.instance_id]}],
    )["Volumes"]
    ids = []
    for volume in volumes:
        device = next(
            a["Device"] for a in volume["Attachments"] if a["InstanceId"] == ws.instance_id
        )
        tags = {
            "Name": f"{name} ({device})",
            TAG_SNAPSHOT: name,
            TAG_WORKSPACE: ws.name,
            TAG_TEMPLATE: ws.template,
            TAG_TYPE: ws.instance_type,
            TAG_SIZE: ws.size or "",
            TAG_DEVICE: device,
            TAG_ROOT: "true" if device == root else "false",
            TAG_PROJECT: ws.project or "",
            TAG_NOTE: note[:250],
        }
        reply = aws_call(
            "CreateSnapshot",
            ec2.create_snapshot,
            VolumeId=volume["VolumeId"],
            Description=f"prism snapshot {name} of {ws.name} ({device})",
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": _tag_list(tags)}],
        )
        ids.append(str(reply["SnapshotId"]))
    return ids


def delete_snapshot(ec2: Any, snapshot: Snapshot) -> None:
    for disk in snapshot.disks:
        aws_call("DeleteSnapshot", ec2.delete_snapshot, SnapshotId=disk.snapshot_id)


def register_restore_image(ec2: Any, snapshot: Snapshot, architecture: str, new_name: str) -> str:
    """An image of the snapshot's disks to launch the restored workstation from; each disk of
    it is deleted with the new workstation, like its root disk.
    """
    root = next((d for d in snapshot.disks if d.root), None)
    if root is None or snapshot.state != "completed":
        raise ToolError(
            "PRISM_SNAPSHOT_NOT_READY",
            f"The snapshot {snapshot.name} is {snapshot.state}"
            + ("" if root else " and has no root disk")
            + "; a workstation cannot start from it.",
            suggestions=["Wait until prism snapshot list shows it completed, then try again."],
            exit_code=ExitCode.CONFLICT,
        )
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    reply = aws_call(
        "RegisterImage",
        ec2.register_image,
        Name=f"prism-restore-{snapshot.name}-{new_name}-{stamp}"[:128],
        Description=f"prism: {new_name} restored from snapshot {snapshot.name}",
        Architecture=architecture,
        RootDeviceName=root.device,
        VirtualizationType="hvm",
        EnaSupport=True,
        BlockDeviceMappings=[
            {
                "DeviceName": disk.device,
                "Ebs": {
                    "SnapshotId": disk.snapshot_id,
                    "VolumeSize": disk.size_gb,
                    "VolumeType": "gp3",
                    "DeleteOnTermination": True,
                },
            }
            for disk in snapshot.disks
        ],
    )
    return str(reply["ImageId"])


def deregister_image(ec2: Any, image_id: str) -> None:
    """The restore's image, once the workstation runs from it (its snapshots stay)."""
    aws_call("DeregisterImage", ec2.deregister_image, ImageId=image_id)


def save_image(
    ec2: Any,
    ws: Workstation,
    template: str,
    *,
    reboot: bool,
    architecture_of: Callable[[str], str],
) -> SavedImage:
    """CreateImage of a workstation, the image and its disks' snapshots tagged (so cost and
    `storage report` count them).
    """
    if not ws.instance_id:
        raise ToolError(
            "PRISM_WORKSTATION_NOT_LAUNCHED",
            f"{ws.name} has no instance to make an image of.",
            suggestions=["Wait for its launch to finish: prism list"],
            exit_code=ExitCode.CONFLICT,
        )
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"prism-{template}-{stamp}"
    tags = {
        "Name": name,
        TAG_IMAGE: template,
        TAG_WORKSPACE: ws.name,
        TAG_TEMPLATE: ws.template,
        TAG_PROJECT: ws.project or "",
    }
    reply = aws_call(
        "CreateImage",
        ec2.create_image,
        InstanceId=ws.instance_id,
        Name=name,
        Description=f"prism: saved from workstation {ws.name} as template {template}",
        NoReboot=not reboot,
        TagSpecifications=[{"ResourceType": "image", "Tags": _tag_list(tags)}],
    )
    image_id = str(reply["ImageId"])
    image = aws_call("DescribeImages", ec2.describe_images, ImageIds=[image_id])["Images"][0]
    snapshots = [
        m["Ebs"]["SnapshotId"]
        for m in image.get("BlockDeviceMappings", [])
        if m.get("Ebs", {}).get("SnapshotId")
    ]
    if snapshots:
        aws_call("CreateTags", ec2.create_tags, Resources=snapshots, Tags=_tag_list(tags))
    return SavedImage(
        image_id=image_id,
        name=name,
        workstation=ws.name,
        region=ws.region,
        architecture=architecture_of(ws.instance_type),
        state=str(image.get("State", "pending")),
    )
