"""The AWS building blocks of a launch, against moto over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from groundwork.errors import ToolError
from prism.cloud.errors import translate
from prism.cloud.images import ImageFinder
from prism.cloud.instances import architecture_of
from prism.cloud.keys import ensure_key_pair
from prism.cloud.network import ensure_security_group, pick_subnet


def test_architecture_comes_from_the_instance_type(aws: Any) -> None:
    ec2 = aws("ec2")
    assert architecture_of(ec2, "t4g.medium") == "arm64"
    assert architecture_of(ec2, "g4dn.xlarge") == "x86_64"
    with pytest.raises(ToolError) as unknown:
        architecture_of(ec2, "t9.gigantic")
    assert unknown.value.code == "PRISM_INSTANCE_TYPE_UNKNOWN"


def test_the_subnet_is_in_a_zone_that_offers_the_type(aws: Any) -> None:
    ec2 = aws("ec2")
    placement = pick_subnet(ec2, "t3.medium")
    offered = {
        o["Location"]
        for o in ec2.describe_instance_type_offerings(
            LocationType="availability-zone",
            Filters=[{"Name": "instance-type", "Values": ["t3.medium"]}],
        )["InstanceTypeOfferings"]
    }
    assert placement.availability_zone in offered


def test_web_ports_open_only_to_the_caller(aws: Any) -> None:
    ec2 = aws("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    kwargs = {"ssh_ports": [22], "web_ports": [8888], "web_cidr": "203.0.113.7/32"}
    group = ensure_security_group(ec2, vpc["VpcId"], "prism-test-web", **kwargs)
    again = ensure_security_group(ec2, vpc["VpcId"], "prism-test-web", **kwargs)
    assert group == again
    rules = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    by_port = {r["FromPort"]: [ip["CidrIp"] for ip in r["IpRanges"]] for r in rules}
    assert by_port[22] == ["0.0.0.0/0"]
    assert by_port[8888] == ["203.0.113.7/32"]


def test_the_key_is_ed25519_private_and_imported_once(aws: Any, tmp_path: Path) -> None:
    ec2 = aws("ec2")
    name, private = ensure_key_pair(ec2, tmp_path / "keys", "prism-test")
    ensure_key_pair(ec2, tmp_path / "keys", "prism-test")
    assert private.stat().st_mode & 0o777 == 0o600
    assert private.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert (tmp_path / "keys" / "prism-test.pub").read_text().startswith("ssh-ed25519 ")
    assert len(ec2.describe_key_pairs(KeyNames=[name])["KeyPairs"]) == 1


def test_images_come_from_ssm_and_are_cached(aws: Any, tmp_path: Path) -> None:
    ec2, ssm = aws("ec2"), aws("ssm")
    image = ec2.register_image(Name="test-ubuntu", RootDeviceName="/dev/sda1")["ImageId"]
    ssm.put_parameter(Name="/test/ami/ubuntu-22.04/x86_64", Value=image, Type="String")
    finder = ImageFinder(ec2, ssm, tmp_path / "images.json", ssm_prefix="/test/ami")
    assert finder.find("ubuntu-22.04-server-lts", "x86_64", "us-east-1") == image
    ssm.delete_parameter(Name="/test/ami/ubuntu-22.04/x86_64")
    assert finder.find("ubuntu-22.04", "x86_64", "us-east-1") == image
    with pytest.raises(ToolError) as missing:
        finder.find("ubuntu-22.04", "arm64", "us-east-1")
    assert missing.value.code == "PRISM_IMAGE_NOT_FOUND"


@pytest.mark.parametrize(
    ("aws_code", "ours", "transient"),
    [
        ("UnauthorizedOperation", "PRISM_AWS_PERMISSION_DENIED", False),
        ("AuthFailure", "PRISM_AWS_AUTH_FAILED", False),
        ("InsufficientInstanceCapacity", "PRISM_AWS_NO_CAPACITY", True),
        ("VcpuLimitExceeded", "PRISM_AWS_VCPU_LIMIT", False),
        ("InvalidAMIID.NotFound", "PRISM_AWS_IMAGE_NOT_FOUND", False),
        ("RequestLimitExceeded", "PRISM_AWS_THROTTLED", True),
    ],
)
def test_aws_error_codes_become_errors_with_suggestions(
    aws_code: str, ours: str, transient: bool
) -> None:
    exc = ClientError({"Error": {"Code": aws_code, "Message": "m"}}, "RunInstances")
    error = translate(exc, "RunInstances")
    assert error.code == ours
    assert error.transient is transient
    assert error.suggestions
