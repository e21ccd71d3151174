"""EC2 instances: launch one from a resolved plan, follow it, and move it through its life."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call

__all__ = [
    "TAG_PROJECT",
    "TAG_TEMPLATE",
    "TAG_WORKSPACE",
    "InstanceView",
    "RunPlan",
    "architecture_of",
    "describe",
    "find_by_workspace",
    "run",
]

TAG_WORKSPACE = "prism:workspace"
TAG_TEMPLATE = "prism:template"
TAG_PROJECT = "prism:project"

_ARCH_CACHE: dict[str, str] = {}
PROFILE_PROPAGATION_SECONDS = 30.0


def architecture_of(ec2: Any, instance_type: str) -> str:
    """x86_64 or arm64, from the instance type itself: never from the machine prism runs on."""
    if instance_type not in _ARCH_CACHE:
        try:
            types = aws_call(
                "DescribeInstanceTypes", ec2.describe_instance_types, InstanceTypes=[instance_type]
            )["InstanceTypes"]
        except ToolError as exc:
            if exc.context.get("aws_error", "").startswith("InvalidInstanceType"):
                types = []
            else:
                raise
        if not types:
            raise ToolError(
                "PRISM_INSTANCE_TYPE_UNKNOWN",
                f"{instance_type!r} is not an EC2 instance type in this region.",
                suggestions=["Use --size XS|S|M|L|XL, or a type listed by AWS for the region."],
                exit_code=ExitCode.USAGE,
            )
        archs = types[0]["ProcessorInfo"]["SupportedArchitectures"]
        _ARCH_CACHE[instance_type] = "arm64" if "arm64" in archs else "x86_64"
    return _ARCH_CACHE[instance_type]


@dataclass(frozen=True)
class RunPlan:
    name: str
    template: str
    image_id: str
    instance_type: str
    subnet_id: str
    security_group_id: str
    key_name: str
    user_data: str
    root_volume_gb: int
    spot: bool = False
    hibernation: bool = False
    extra_tags: dict[str, str] = field(default_factory=dict)
    instance_profile: str | None = None
    restored: bool = False
    """The image holds a snapshot's disks: their encryption is theirs, not prism's to set."""


def run(ec2: Any, plan: RunPlan, *, dry_run: bool = False) -> str:
    """RunInstances; returns the instance id ("dry-run" when AWS confirmed it would work)."""
    image = aws_call("DescribeImages", ec2.describe_images, ImageIds=[plan.image_id])["Images"]
    root_device = image[0].get("RootDeviceName", "/dev/sda1") if image else "/dev/sda1"
    tags = {
        "Name": plan.name,
        TAG_WORKSPACE: plan.name,
        TAG_TEMPLATE: plan.template,
        **plan.extra_tags,
    }
    request: dict[str, Any] = {
        "ImageId": plan.image_id,
        "InstanceType": plan.instance_type,
        "MinCount": 1,
        "MaxCount": 1,
        "KeyName": plan.key_name,
        # The script itself: botocore base64-encodes RunInstances' UserData (encoding it here
        # too gave the instance base64 text, which cloud-init does not run).
        "UserData": plan.user_data,
        "NetworkInterfaces": [
            {
                "DeviceIndex": 0,
                "SubnetId": plan.subnet_id,
                "Groups": [plan.security_group_id],
                "AssociatePublicIpAddress": True,
            }
        ],
        "BlockDeviceMappings": [
            {
                "DeviceName": root_device,
                "Ebs": {
                    "VolumeSize": plan.root_volume_gb,
                    "VolumeType": "gp3",
                    "DeleteOnTermination": True,
                    **(
                        {}
                        if plan.restored and not plan.hibernation
                        else {"Encrypted": plan.hibernation}
                    ),
                },
            }
        ],
        "TagSpecifications": [
            {"ResourceType": rt, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
            for rt in ("instance", "volume")
        ],
        "MetadataOptions": {"HttpTokens": "required"},
    }
    if plan.hibernation:
        request["HibernationOptions"] = {"Configured": True}
    if plan.instance_profile:
        request["IamInstanceProfile"] = {"Name": plan.instance_profile}
    if plan.spot:
        request["InstanceMarketOptions"] = {
            "MarketType": "spot",
            "SpotOptions": {
                "SpotInstanceType": "persistent",
                "InstanceInterruptionBehavior": "stop",
            },
        }
    if dry_run:
        try:
            aws_call("RunInstances", ec2.run_instances, DryRun=True, **request)
        except ToolError as exc:
            if exc.context.get("aws_error") == "DryRunOperation":
                return "dry-run"
            raise
        return "dry-run"
    reply = _run_when_profile_is_known(ec2, request)
    return str(reply["Instances"][0]["InstanceId"])


def _run_when_profile_is_known(ec2: Any, request: dict[str, Any]) -> Any:
    """RunInstances, waiting out IAM's delay: EC2 refuses an instance profile made seconds ago
    as unknown until IAM's change reaches it.
    """
    deadline = time.monotonic() + PROFILE_PROPAGATION_SECONDS
    while True:
        try:
            return aws_call("RunInstances", ec2.run_instances, **request)
        except ToolError as exc:
            unknown_profile = "instance profile" in exc.message.lower() or (
                "iaminstanceprofile" in exc.message.lower()
            )
            if not (unknown_profile and "IamInstanceProfile" in request):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(2.0)


@dataclass(frozen=True)
class InstanceView:
    instance_id: str
    state: str
    instance_type: str
    public_ip: str | None
    private_ip: str | None
    availability_zone: str | None
    launch_time: str | None
    hibernation_configured: bool
    spot: bool
    tags: dict[str, str]


def _view(raw: dict[str, Any]) -> InstanceView:
    return InstanceView(
        instance_id=raw["InstanceId"],
        state=raw["State"]["Name"],
        instance_type=raw["InstanceType"],
        public_ip=raw.get("PublicIpAddress"),
        private_ip=raw.get("PrivateIpAddress"),
        availability_zone=raw.get("Placement", {}).get("AvailabilityZone"),
        launch_time=str(raw["LaunchTime"]) if raw.get("LaunchTime") else None,
        hibernation_configured=bool(raw.get("HibernationOptions", {}).get("Configured")),
        spot=raw.get("InstanceLifecycle") == "spot",
        tags={t["Key"]: t["Value"] for t in raw.get("Tags", [])},
    )


def describe(ec2: Any, instance_ids: Sequence[str]) -> dict[str, InstanceView]:
    """The instances that still exist, by id; ids EC2 no longer knows are simply absent."""
    if not instance_ids:
        return {}
    reply = aws_call(
        "DescribeInstances",
        ec2.describe_instances,
        Filters=[{"Name": "instance-id", "Values": list(instance_ids)}],
    )
    views = [_view(i) for r in reply["Reservations"] for i in r["Instances"]]
    return {v.instance_id: v for v in views if v.state != "terminated"}


def find_by_workspace(ec2: Any, name: str) -> InstanceView | None:
    """The live instance tagged for a workspace: how a daemon killed mid-launch finds its work."""
    reply = aws_call(
        "DescribeInstances",
        ec2.describe_instances,
        Filters=[
            {"Name": f"tag:{TAG_WORKSPACE}", "Values": [name]},
            {
                "Name": "instance-state-name",
                "Values": ["pending", "running", "stopping", "stopped"],
            },
        ],
    )
    views = [_view(i) for r in reply["Reservations"] for i in r["Instances"]]
    return views[0] if views else None


def wait_for(
    ec2: Any,
    instance_id: str,
    wanted: str,
    *,
    on_poll: Callable[[str], None] | None = None,
    timeout_seconds: float = 600,
    poll_seconds: float = 2.0,
) -> InstanceView:
    deadline = time.monotonic() + timeout_seconds
    while True:
        views = describe(ec2, [instance_id])
        view = views.get(instance_id)
        if view is None:
            raise ToolError(
                "PRISM_AWS_INSTANCE_GONE",
                f"The instance {instance_id} disappeared while prism waited for it.",
                suggestions=["Check the EC2 console for why it was terminated."],
                exit_code=ExitCode.FAILURE,
            )
        if on_poll is not None:
            on_poll(view.state)
        if view.state == wanted:
            return view
        if time.monotonic() > deadline:
            raise ToolError(
                "PRISM_AWS_WAIT_TIMEOUT",
                f"{instance_id} is still {view.state} after {timeout_seconds:.0f} s.",
                suggestions=["It may get there later: check with prism list."],
                exit_code=ExitCode.TIMEOUT,
            )
        time.sleep(poll_seconds)
