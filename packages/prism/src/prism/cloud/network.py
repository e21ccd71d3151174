"""Where a workstation lands: a subnet in a zone that offers its type, behind a security group.

Picking any zone failed about a fifth of the original's launches in us-east-1, because not every
zone offers every type; DescribeInstanceTypeOfferings says which do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call

__all__ = ["Placement", "caller_cidr", "ensure_security_group", "first_offered", "pick_subnet"]


@dataclass(frozen=True)
class Placement:
    subnet_id: str
    availability_zone: str
    vpc_id: str


def first_offered(ec2: Any, types: Sequence[str]) -> tuple[str, list[str]]:
    """The first of a template's preferred instance types the region offers, and those
    passed over; the first of all when the region offers none (the launch then says so).
    """
    offered = {
        o["InstanceType"]
        for o in aws_call(
            "DescribeInstanceTypeOfferings",
            ec2.describe_instance_type_offerings,
            LocationType="region",
            Filters=[{"Name": "instance-type", "Values": list(types)}],
        )["InstanceTypeOfferings"]
    }
    for index, wanted in enumerate(types):
        if wanted in offered:
            return wanted, list(types[:index])
    return types[0], []


def pick_subnet(ec2: Any, instance_type: str) -> Placement:
    offered = aws_call(
        "DescribeInstanceTypeOfferings",
        ec2.describe_instance_type_offerings,
        LocationType="availability-zone",
        Filters=[{"Name": "instance-type", "Values": [instance_type]}],
    )["InstanceTypeOfferings"]
    zones = {o["Location"] for o in offered}
    if not zones:
        raise ToolError(
            "PRISM_AWS_TYPE_NOT_OFFERED",
            f"The instance type {instance_type} is not offered in any zone of this region.",
            suggestions=["Choose another size (--size) or another region."],
            context={"instance_type": instance_type},
            exit_code=ExitCode.CONFLICT,
        )
    subnets = aws_call(
        "DescribeSubnets",
        ec2.describe_subnets,
        Filters=[{"Name": "default-for-az", "Values": ["true"]}],
    )["Subnets"]
    usable = [s for s in subnets if s["AvailabilityZone"] in zones]
    if not usable:
        raise ToolError(
            "PRISM_AWS_NO_SUBNET",
            f"No default subnet is in a zone that offers {instance_type}"
            f" ({', '.join(sorted(zones))}).",
            suggestions=[
                "Create the default VPC's subnets: aws ec2 create-default-subnet"
                " --availability-zone ZONE",
            ],
            exit_code=ExitCode.CONFLICT,
        )
    best = max(usable, key=lambda s: (s.get("AvailableIpAddressCount", 0), s["SubnetId"]))
    return Placement(best["SubnetId"], best["AvailabilityZone"], best["VpcId"])


def caller_cidr(simulated: bool) -> str | None:
    """The public address web ports are opened to; None when it can't be learnt."""
    if simulated:
        return "127.0.0.1/32"
    try:
        address = httpx.get("https://checkip.amazonaws.com", timeout=5).text.strip()
    except httpx.HTTPError:
        return None
    return f"{address}/32" if address.count(".") == 3 else None


def ensure_security_group(
    ec2: Any,
    vpc_id: str,
    name: str,
    *,
    ssh_ports: Sequence[int],
    web_ports: Sequence[int],
    web_cidr: str | None,
) -> str:
    """Find or create the group; SSH from anywhere, web ports only from the caller's address."""
    found = aws_call(
        "DescribeSecurityGroups",
        ec2.describe_security_groups,
        Filters=[
            {"Name": "group-name", "Values": [name]},
            {"Name": "vpc-id", "Values": [vpc_id]},
        ],
    )["SecurityGroups"]
    if found:
        group_id = str(found[0]["GroupId"])
        existing = {
            (p.get("FromPort"), r["CidrIp"])
            for p in found[0].get("IpPermissions", [])
            for r in p.get("IpRanges", [])
        }
    else:
        try:
            group_id = str(
                aws_call(
                    "CreateSecurityGroup",
                    ec2.create_security_group,
                    GroupName=name,
                    Description="prism workstations: SSH, and web ports from the launching address",
                    VpcId=vpc_id,
                    TagSpecifications=[
                        {
                            "ResourceType": "security-group",
                            "Tags": [{"Key": "prism:managed", "Value": "true"}],
                        }
                    ],
                )["GroupId"]
            )
        except ToolError as exc:
            if exc.context.get("aws_error") != "InvalidGroup.Duplicate":
                raise
            return ensure_security_group(  # another launch made it a moment ago
                ec2, vpc_id, name, ssh_ports=ssh_ports, web_ports=web_ports, web_cidr=web_cidr
            )
        existing = set()
    # SSH accepts keys only, so it may be reached from any address; web ports may not.
    wanted = [(port, "0.0.0.0/0") for port in ssh_ports]
    if web_cidr:
        wanted += [(port, web_cidr) for port in web_ports]
    missing = [(port, cidr) for port, cidr in wanted if (port, cidr) not in existing]
    # One rule per call: two launches at once (a team's members) may add the same rule, and
    # AWS refuses a batch whole when one of its rules exists already.
    for port, cidr in missing:
        try:
            aws_call(
                "AuthorizeSecurityGroupIngress",
                ec2.authorize_security_group_ingress,
                GroupId=group_id,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "IpRanges": [{"CidrIp": cidr}],
                    }
                ],
            )
        except ToolError as exc:
            if exc.context.get("aws_error") != "InvalidPermission.Duplicate":
                raise
    return group_id
