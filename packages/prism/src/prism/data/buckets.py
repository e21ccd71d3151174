"""A project's data buckets: S3 locations its workstations mount at /data/NAME at launch,
reached through the project's instance profile. Records in prism.db; removing one forgets it and
never touches the data in S3.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from prism.data.location import S3Location, parse_s3_url
from prism.data.policy import PolicyDocument
from prism.records import Records

__all__ = [
    "BUCKET_NAME",
    "BucketList",
    "BucketResult",
    "DataBucket",
    "ProjectBuckets",
    "bucket_not_found",
    "checked_location",
    "mount_point",
]

_KIND = "data-bucket"
BUCKET_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
# Prefix segments that stay literal in an IAM resource (no '*' or '?'), in a systemd unit (no
# '$', '%', spaces) and in a shell word.
_SEGMENT = re.compile(r"^[A-Za-z0-9._=+-]+$")


def mount_point(name: str) -> str:
    return f"/data/{name}"


def bucket_not_found(name: str, known: Iterable[DataBucket]) -> ToolError:
    names = ", ".join(b.name for b in known) or "none yet"
    return ToolError(
        "PRISM_DATA_BUCKET_NOT_FOUND",
        f"No data bucket named {name!r} (known: {names}).",
        suggestions=[
            "See them: prism data bucket list",
            "Attach one: prism data bucket add NAME s3://BUCKET/PREFIX --project P",
        ],
        exit_code=ExitCode.NOT_FOUND,
    )


class DataBucket(BaseModel):
    name: str = Field(pattern=BUCKET_NAME, description="Mounted at /data/NAME.")
    project: str
    url: str = Field(description="s3://BUCKET/PREFIX as given, normalised.")
    bucket: str
    prefix: str = Field(description="Keys under it ('' for the whole bucket, else ends in '/').")
    region: str = Field(description="The bucket's region (Mountpoint is told it).")
    read_only: bool
    mount_point: str
    added_by: str
    added_at: datetime

    @classmethod
    def at(
        cls,
        location: S3Location,
        *,
        name: str,
        project: str,
        region: str,
        read_only: bool,
        added_by: str,
        added_at: datetime,
    ) -> DataBucket:
        """The record of a checked location: its URL normalised, mounted at /data/NAME."""
        return cls(
            name=name,
            project=project,
            url=f"s3://{location.bucket}/{location.prefix}".rstrip("/"),
            bucket=location.bucket,
            prefix=location.prefix,
            region=region,
            read_only=read_only,
            mount_point=mount_point(name),
            added_by=added_by,
            added_at=added_at,
        )


class BucketResult(BaseModel):
    """What bucket add and remove answer: the bucket, and the project's access after."""

    bucket: DataBucket
    removed: bool = False
    instance_profile: str = Field(
        description="The project's instance profile, which its workstations launch with."
    )
    policy: PolicyDocument | None = Field(
        description="The profile's S3 policy after the change (null: no bucket left)."
    )
    simulated: bool = False
    profile_given_to: list[str] = Field(
        default_factory=list,
        description="Workstations of the project moved to its instance profile now (launched"
        " before it had a data bucket).",
    )
    commands: dict[str, str] = Field(
        default_factory=dict,
        description="Running workstations of the project it was mounted on (add) or unmounted"
        " from (remove) now, each with the SSM command that did it.",
    )
    notes: list[str] = Field(
        default_factory=list, description="What could not be done on a workstation, and why."
    )


class BucketList(BaseModel):
    buckets: list[DataBucket]


def checked_location(url: str) -> S3Location:
    """The location, refused when its prefix could widen the policy or break the mount unit."""
    location = parse_s3_url(url)
    segments = location.prefix.rstrip("/").split("/") if location.prefix else []
    if not all(_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        raise ToolError(
            "PRISM_BUCKET_PREFIX_UNSAFE",
            f"The prefix of {url!r} holds characters prism does not put in an IAM policy or a"
            " mount unit: each part between '/' may use letters, digits and . _ = + - only"
            " ('*' and '?' would widen the policy).",
            suggestions=["For example: s3://my-lab-data/genomes/2026"],
            exit_code=ExitCode.USAGE,
        )
    return location


class ProjectBuckets:
    def __init__(self, records: Records) -> None:
        self.records = records

    def list(self, project: str | None = None) -> builtins.list[DataBucket]:
        found = self.records.all(_KIND, DataBucket).values()
        return [b for b in found if project is None or b.project == project]

    def get(self, name: str) -> DataBucket:
        found = self.records.get(_KIND, name, DataBucket)
        if found is None:
            raise bucket_not_found(name, self.list())
        return found

    def check_new(self, name: str) -> None:
        if not re.match(BUCKET_NAME, name):
            raise ToolError(
                "PRISM_DATA_BUCKET_NAME_INVALID",
                f"{name!r} cannot name a data bucket: it is mounted at /data/NAME, so use 1-40"
                " lowercase letters, digits, '-' or '_', starting with a letter or digit.",
                suggestions=["For example: prism data bucket add genomes s3://my-lab-data/genomes"],
                exit_code=ExitCode.USAGE,
            )
        there = self.records.get(_KIND, name, DataBucket)
        if there is not None:
            raise ToolError(
                "PRISM_DATA_BUCKET_EXISTS",
                f"A data bucket named {name!r} exists already ({there.url}, project"
                f" {there.project}).",
                suggestions=[
                    "Choose another name,",
                    f"or remove it first: prism data bucket remove {name}",
                ],
                exit_code=ExitCode.CONFLICT,
            )

    def put(self, bucket: DataBucket) -> None:
        self.records.put(_KIND, bucket.name, bucket)

    def remove(self, name: str) -> DataBucket:
        found = self.get(name)
        self.records.delete(_KIND, name)
        return found
