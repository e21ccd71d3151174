"""The least-privilege S3 policy of a project's instance profile: for each data bucket, listing
only under its prefix and object actions only on keys under it; reading for a read-only
bucket, and what Mountpoint needs to write (put, delete, abort an upload) for a read-write one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from groundwork.errors import ExitCode, ToolError

if TYPE_CHECKING:
    from prism.data.buckets import DataBucket

__all__ = [
    "POLICY_LIMIT",
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "PolicyDocument",
    "PolicyStatement",
    "bucket_policy",
    "bucket_sid",
    "policy_json",
]

READ_ACTIONS = ("s3:GetObject",)
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
POLICY_LIMIT = 10_240
"""IAM's limit on a role's inline policies, in characters (whitespace not counted)."""


class PolicyStatement(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sid: str = Field(alias="Sid")
    effect: Literal["Allow"] = Field(default="Allow", alias="Effect")
    action: list[str] = Field(alias="Action")
    resource: str = Field(alias="Resource")
    condition: dict[str, dict[str, list[str]]] | None = Field(default=None, alias="Condition")

    @model_serializer(mode="wrap")
    def _no_empty_condition(self, handler: Any) -> dict[str, Any]:
        """IAM refuses a null Condition: a statement without one leaves the key out."""
        dumped: dict[str, Any] = handler(self)
        return {k: v for k, v in dumped.items() if k not in ("Condition", "condition") or v}


class PolicyDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    version: Literal["2012-10-17"] = Field(default="2012-10-17", alias="Version")
    statement: list[PolicyStatement] = Field(alias="Statement")


def bucket_sid(name: str, what: str) -> str:
    """A statement id (letters and digits only) unique to the bucket: its name's first letter
    upper-cased, '-' as D and '_' as U (upper case is never in a name but there: one name, one id).
    """
    encoded = name[:1].upper() + name[1:].replace("-", "D").replace("_", "U")
    return f"Data{encoded}{what}"


def _statements(bucket: DataBucket) -> list[PolicyStatement]:
    listing = PolicyStatement(
        sid=bucket_sid(bucket.name, "List"),
        action=["s3:ListBucket"],
        resource=f"arn:aws:s3:::{bucket.bucket}",
        condition=(
            {"StringLike": {"s3:prefix": [bucket.prefix, f"{bucket.prefix}*"]}}
            if bucket.prefix
            else None
        ),
    )
    actions = [*READ_ACTIONS, *([] if bucket.read_only else WRITE_ACTIONS)]
    objects = PolicyStatement(
        sid=bucket_sid(bucket.name, "Write" if not bucket.read_only else "Read"),
        action=actions,
        resource=f"arn:aws:s3:::{bucket.bucket}/{bucket.prefix}*",
    )
    return [listing, objects]


def bucket_policy(buckets: Sequence[DataBucket]) -> PolicyDocument | None:
    """The policy for these buckets; None when there are none (the role then has no S3 access)."""
    if not buckets:
        return None
    document = PolicyDocument(statement=[s for b in buckets for s in _statements(b)])
    size = len(re.sub(r"\s", "", policy_json(document)))
    if size > POLICY_LIMIT:
        raise ToolError(
            "PRISM_BUCKET_POLICY_TOO_LARGE",
            f"The policy for {len(buckets)} data buckets would be {size:,} characters; IAM"
            f" takes at most {POLICY_LIMIT:,} in a role's inline policies.",
            suggestions=["Remove a bucket the project no longer uses: prism data bucket remove"],
            exit_code=ExitCode.CONFLICT,
        )
    return document


def policy_json(document: PolicyDocument) -> str:
    return json.dumps(document.model_dump(by_alias=True))
