"""Attaching a bucket to a project and detaching it: the location checked against S3 in the
profile's account, the project's instance profile given the new policy, then the record written
(so a refusal from S3 or IAM leaves nothing half-made). Detaching never touches the data.
"""

from __future__ import annotations

from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import translate
from prism.cloud.iam import ensure_project_profile
from prism.cloud.session import CloudSession
from prism.data.buckets import (
    BucketResult,
    DataBucket,
    ProjectBuckets,
    checked_location,
)
from prism.data.location import S3Location
from prism.data.policy import bucket_policy

__all__ = ["attach", "detach"]


def _region_of(s3: Any, location: S3Location, profile: str) -> str:
    """The bucket's region; refused when it is missing or this identity may not reach it."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3.head_bucket(Bucket=location.bucket)
        found = s3.get_bucket_location(Bucket=location.bucket).get("LocationConstraint")
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            raise ToolError(
                "PRISM_BUCKET_NOT_FOUND",
                f"There is no bucket {location.bucket!r} in the account of profile {profile}.",
                suggestions=[
                    "Check the name: aws s3 ls",
                    "Or use the profile of the account that holds it: prism profiles use NAME",
                ],
                exit_code=ExitCode.NOT_FOUND,
            ) from exc
        if code in ("403", "AccessDenied"):
            raise ToolError(
                "PRISM_BUCKET_FORBIDDEN",
                f"Profile {profile} may not reach bucket {location.bucket!r} (S3 answered 403).",
                suggestions=[
                    "Ask the bucket's owner to allow s3:ListBucket for your identity,",
                    "or use a profile that may: prism profiles use NAME",
                ],
                exit_code=ExitCode.PERMISSION,
            ) from exc
        raise translate(exc, "HeadBucket") from exc
    except BotoCoreError as exc:
        raise translate(exc, "HeadBucket") from exc
    # S3 answers no constraint for us-east-1 and the legacy "EU" for eu-west-1.
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(found, str(found))


def attach(
    buckets: ProjectBuckets,
    cloud: CloudSession,
    *,
    project: str,
    name: str,
    url: str,
    read_only: bool,
    by: str,
) -> BucketResult:
    buckets.check_new(name)
    location = checked_location(url)
    region = _region_of(cloud.client("s3"), location, cloud.profile.name)
    bucket = DataBucket.at(
        location,
        name=name,
        project=project,
        region=region,
        read_only=read_only,
        added_by=by,
        added_at=buckets.records.clock.now(),
    )
    policy = bucket_policy([*buckets.list(project), bucket])
    profile = ensure_project_profile(cloud.client("iam"), project, policy)
    buckets.put(bucket)
    return BucketResult(
        bucket=bucket, instance_profile=profile, policy=policy, simulated=cloud.simulated
    )


def detach(buckets: ProjectBuckets, cloud: CloudSession, project: str, name: str) -> BucketResult:
    bucket = buckets.get(name)
    if bucket.project != project:
        raise ToolError(
            "PRISM_DATA_BUCKET_NOT_FOUND",
            f"The data bucket {name!r} belongs to project {bucket.project}, not {project}.",
            suggestions=[f"prism data bucket remove {name} (it finds its project)"],
            exit_code=ExitCode.NOT_FOUND,
        )
    policy = bucket_policy([b for b in buckets.list(project) if b.name != name])
    profile = ensure_project_profile(cloud.client("iam"), project, policy)
    buckets.remove(name)
    return BucketResult(
        bucket=bucket,
        removed=True,
        instance_profile=profile,
        policy=policy,
        simulated=cloud.simulated,
    )
