"""Backups of EFS volumes, by AWS Backup.

On: EFS automatic backups (PutBackupPolicy), which AWS Backup runs daily in the account's
default plan and keeps 35 days; `volume create --backup` turns them on at creation
(CreateFileSystem's ``Backup``). Restore: a recovery point of the volume (the newest, or the
newest at or before a time) restored by AWS Backup into a new file system, which prism names
and tags as the volume asked for once AWS has made it.

The AWS emulator the sandbox runs (moto) implements CreateFileSystem's ``Backup`` and
DescribeBackupPolicy, but not PutBackupPolicy, nor AWS Backup's recovery points and restore
jobs: there, those commands say so instead of pretending.
"""

from __future__ import annotations

from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call
from prism.cloud.storage_model import RecoveryPoint

__all__ = [
    "RESTORE_TOKEN_PREFIX",
    "backup_status",
    "recovery_points",
    "set_backup",
    "start_restore",
]

_MISSING = {"404", "500", "501", "NotImplemented", "InternalFailure"}
RESTORE_TOKEN_PREFIX = "prism-restore-"  # noqa: S105 - an EFS creation token, no secret


def _unavailable(operation: str, exc: ToolError, *, emulated: bool) -> ToolError:
    where = (
        "the AWS emulator prism's sandbox runs (moto) does not implement it"
        if emulated
        else "AWS did not answer it as a service that exists here"
    )
    return ToolError(
        "PRISM_BACKUP_UNAVAILABLE",
        f"EFS backups cannot be used here: {operation} failed because {where}.",
        suggestions=[
            "On an AWS account, AWS Backup runs EFS automatic backups (daily, kept 35 days):"
            " prism volume backup NAME --on, with a profile of that account.",
            "In the sandbox, create volumes with backups on from the start:"
            " prism volume create NAME --backup",
        ],
        context={"operation": operation, "aws_error": exc.context.get("aws_error", "")},
        exit_code=ExitCode.UNAVAILABLE,
    )


def _missing(exc: ToolError) -> bool:
    return str(exc.context.get("aws_error", "")) in _MISSING


def backup_status(efs: Any, file_system_id: str) -> str:
    """ENABLED, DISABLED, ENABLING or DISABLING."""
    try:
        reply = aws_call(
            "DescribeBackupPolicy", efs.describe_backup_policy, FileSystemId=file_system_id
        )
    except ToolError as exc:
        if exc.context.get("aws_error") == "PolicyNotFound":
            return "DISABLED"
        raise
    return str(reply.get("BackupPolicy", {}).get("Status", "DISABLED"))


def set_backup(efs: Any, file_system_id: str, *, enabled: bool, emulated: bool) -> str:
    try:
        reply = aws_call(
            "PutBackupPolicy",
            efs.put_backup_policy,
            FileSystemId=file_system_id,
            BackupPolicy={"Status": "ENABLED" if enabled else "DISABLED"},
        )
    except ToolError as exc:
        if _missing(exc):
            raise _unavailable("PutBackupPolicy", exc, emulated=emulated) from exc
        raise
    return str(reply.get("BackupPolicy", {}).get("Status", "ENABLED" if enabled else "DISABLED"))


def recovery_points(backup: Any, file_system_arn: str, *, emulated: bool) -> list[RecoveryPoint]:
    """The volume's recovery points, newest first."""
    try:
        reply = aws_call(
            "ListRecoveryPointsByResource",
            backup.list_recovery_points_by_resource,
            ResourceArn=file_system_arn,
        )
    except ToolError as exc:
        if _missing(exc):
            raise _unavailable("ListRecoveryPointsByResource", exc, emulated=emulated) from exc
        raise
    points = [
        RecoveryPoint(
            arn=p["RecoveryPointArn"],
            created=p["CreationDate"],
            status=p.get("Status", ""),
            size_bytes=p.get("BackupSizeBytes"),
        )
        for p in reply.get("RecoveryPoints", [])
    ]
    return sorted(points, key=lambda p: p.created, reverse=True)


def start_restore(
    backup: Any,
    sts: Any,
    point: RecoveryPoint,
    file_system_id: str,
    new_name: str,
    *,
    emulated: bool,
) -> str:
    """An AWS Backup restore job into a new, encrypted file system; its job id."""
    account = aws_call("GetCallerIdentity", sts.get_caller_identity)["Account"]
    role = f"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole"
    try:
        reply = aws_call(
            "StartRestoreJob",
            backup.start_restore_job,
            RecoveryPointArn=point.arn,
            IamRoleArn=role,
            ResourceType="EFS",
            Metadata={
                "file-system-id": file_system_id,
                "newFileSystem": "true",
                "CreationToken": f"{RESTORE_TOKEN_PREFIX}{new_name}",
                "Encrypted": "true",
                "PerformanceMode": "generalPurpose",
            },
        )
    except ToolError as exc:
        if _missing(exc):
            raise _unavailable("StartRestoreJob", exc, emulated=emulated) from exc
        raise
    return str(reply["RestoreJobId"])
