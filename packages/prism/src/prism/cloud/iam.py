"""The instance profile every workstation gets: its idle agent publishes to CloudWatch (only in
prism's namespace) and SSM can run commands on it (volume mounts, idle warnings).

Made once per account, on the first launch that finds it missing. An identity that may not
create IAM roles still launches: the workstation gets no profile, and the launch says what
that costs (its idle policy cannot see its activity).
"""

from __future__ import annotations

import json
from typing import Any

from groundwork.errors import ToolError
from prism.cloud.errors import aws_call
from prism.idle.agent import NAMESPACE

__all__ = ["PROFILE_NAME", "ensure_instance_profile"]

PROFILE_NAME = "prism-workstation"
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
_METRICS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
        }
    ],
}
_SSM_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def _exists(error: ToolError) -> bool:
    return error.context.get("aws_error") == "EntityAlreadyExists"


def ensure_instance_profile(iam: Any) -> str:
    """The profile's name, made (with its role) when missing. Raises the AWS error (permission
    denied, typically) when it cannot be made.
    """
    try:
        found = aws_call(
            "GetInstanceProfile", iam.get_instance_profile, InstanceProfileName=PROFILE_NAME
        )
        if found["InstanceProfile"].get("Roles"):
            return PROFILE_NAME
    except ToolError as exc:
        if exc.context.get("aws_error") != "NoSuchEntity":
            raise
    try:
        aws_call(
            "CreateRole",
            iam.create_role,
            RoleName=PROFILE_NAME,
            AssumeRolePolicyDocument=json.dumps(_TRUST),
            Description="prism workstations: idle metrics to CloudWatch, commands through SSM",
        )
    except ToolError as exc:
        if not _exists(exc):
            raise
    aws_call(
        "PutRolePolicy",
        iam.put_role_policy,
        RoleName=PROFILE_NAME,
        PolicyName="prism-idle-metrics",
        PolicyDocument=json.dumps(_METRICS),
    )
    aws_call(
        "AttachRolePolicy", iam.attach_role_policy, RoleName=PROFILE_NAME, PolicyArn=_SSM_POLICY
    )
    try:
        aws_call(
            "CreateInstanceProfile", iam.create_instance_profile, InstanceProfileName=PROFILE_NAME
        )
    except ToolError as exc:
        if not _exists(exc):
            raise
    try:
        aws_call(
            "AddRoleToInstanceProfile",
            iam.add_role_to_instance_profile,
            InstanceProfileName=PROFILE_NAME,
            RoleName=PROFILE_NAME,
        )
    except ToolError as exc:
        if exc.context.get("aws_error") != "LimitExceeded":  # it has its role already
            raise
    return PROFILE_NAME
