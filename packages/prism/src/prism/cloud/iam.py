"""The instance profile every workstation gets: its idle agent publishes to CloudWatch (only in
prism's namespace) and SSM can run commands on it (volume mounts, idle warnings).

Made once per account, on the first launch that finds it missing. An identity that may not
create IAM roles still launches: the workstation gets no profile, and the launch says what
that costs (its idle policy cannot see its activity).

A project with data buckets has its own profile (``prism-project-P``): the same grants, and the
project's S3 policy (:mod:`prism.data.policy`) as one more inline policy, put again whenever its
buckets change.
"""

from __future__ import annotations

import json
from typing import Any

from groundwork.errors import ToolError
from prism.cloud.errors import aws_call
from prism.data.policy import PolicyDocument, policy_json
from prism.idle.agent import NAMESPACE

__all__ = [
    "DATA_POLICY_NAME",
    "PROFILE_NAME",
    "ensure_instance_profile",
    "ensure_project_profile",
    "forget_project_profile",
    "give_instance_profile",
    "project_profile_name",
]

PROFILE_NAME = "prism-workstation"
DATA_POLICY_NAME = "prism-data-buckets"
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
_METRICS_POLICY_NAME = "prism-idle-metrics"


def _exists(error: ToolError) -> bool:
    return error.context.get("aws_error") == "EntityAlreadyExists"


def project_profile_name(project: str) -> str:
    return f"prism-project-{project}"


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
    return _ensure_profile(
        iam, PROFILE_NAME, "prism workstations: idle metrics to CloudWatch, commands through SSM"
    )


def ensure_project_profile(iam: Any, project: str, policy: PolicyDocument | None) -> str:
    """The project's profile, made when missing, its S3 policy put (or deleted: no bucket left).
    Raises the AWS error when IAM refuses.
    """
    name = project_profile_name(project)
    _ensure_profile(
        iam,
        name,
        f"prism workstations of project {project}: idle metrics, SSM, its data buckets",
    )
    if policy is not None:
        aws_call(
            "PutRolePolicy",
            iam.put_role_policy,
            RoleName=name,
            PolicyName=DATA_POLICY_NAME,
            PolicyDocument=policy_json(policy),
        )
        return name
    try:
        aws_call(
            "DeleteRolePolicy", iam.delete_role_policy, RoleName=name, PolicyName=DATA_POLICY_NAME
        )
    except ToolError as exc:
        if exc.context.get("aws_error") != "NoSuchEntity":
            raise
    return name


def forget_project_profile(iam: Any, project: str) -> bool:
    """The project's profile and role deleted (its project is); False when it never had one."""
    name = project_profile_name(project)
    steps: list[tuple[str, Any, dict[str, str]]] = [
        (
            "RemoveRoleFromInstanceProfile",
            iam.remove_role_from_instance_profile,
            {"InstanceProfileName": name, "RoleName": name},
        ),
        ("DeleteInstanceProfile", iam.delete_instance_profile, {"InstanceProfileName": name}),
        (
            "DeleteRolePolicy",
            iam.delete_role_policy,
            {"RoleName": name, "PolicyName": DATA_POLICY_NAME},
        ),
        (
            "DeleteRolePolicy",
            iam.delete_role_policy,
            {"RoleName": name, "PolicyName": _METRICS_POLICY_NAME},
        ),
        (
            "DetachRolePolicy",
            iam.detach_role_policy,
            {"RoleName": name, "PolicyArn": _SSM_POLICY},
        ),
        ("DeleteRole", iam.delete_role, {"RoleName": name}),
    ]
    found = False
    for operation, call, arguments in steps:
        try:
            aws_call(operation, call, **arguments)
            found = True
        except ToolError as exc:
            if exc.context.get("aws_error") != "NoSuchEntity":
                raise
    return found


def _ensure_profile(iam: Any, name: str, description: str) -> str:
    """Role (trusted by EC2, with the idle metrics and SSM grants) and profile holding it."""
    try:
        aws_call(
            "CreateRole",
            iam.create_role,
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(_TRUST),
            Description=description,
        )
    except ToolError as exc:
        if not _exists(exc):
            raise
    aws_call(
        "PutRolePolicy",
        iam.put_role_policy,
        RoleName=name,
        PolicyName=_METRICS_POLICY_NAME,
        PolicyDocument=json.dumps(_METRICS),
    )
    aws_call("AttachRolePolicy", iam.attach_role_policy, RoleName=name, PolicyArn=_SSM_POLICY)
    try:
        aws_call("CreateInstanceProfile", iam.create_instance_profile, InstanceProfileName=name)
    except ToolError as exc:
        if not _exists(exc):
            raise
    try:
        aws_call(
            "AddRoleToInstanceProfile",
            iam.add_role_to_instance_profile,
            InstanceProfileName=name,
            RoleName=name,
        )
    except ToolError as exc:
        if exc.context.get("aws_error") != "LimitExceeded":  # it has its role already
            raise
    return name


def give_instance_profile(ec2: Any, instance_id: str, name: str) -> bool:
    """Put an instance (running or stopped) under the profile ``name``: its association replaced,
    or made when it has none. False when it had that profile already.
    """
    found = aws_call(
        "DescribeIamInstanceProfileAssociations",
        ec2.describe_iam_instance_profile_associations,
        Filters=[{"Name": "instance-id", "Values": [instance_id]}],
    )["IamInstanceProfileAssociations"]
    current = [a for a in found if a.get("State") in ("associating", "associated")]
    if current and current[0]["IamInstanceProfile"]["Arn"].endswith(f":instance-profile/{name}"):
        return False
    if current:
        aws_call(
            "ReplaceIamInstanceProfileAssociation",
            ec2.replace_iam_instance_profile_association,
            IamInstanceProfile={"Name": name},
            AssociationId=current[0]["AssociationId"],
        )
    else:
        aws_call(
            "AssociateIamInstanceProfile",
            ec2.associate_iam_instance_profile,
            IamInstanceProfile={"Name": name},
            InstanceId=instance_id,
        )
    return True
