"""`s3://BUCKET[/PREFIX]` as a bucket and a key prefix, refused early when it cannot be one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundwork.errors import ExitCode, ToolError

__all__ = ["S3Location", "is_s3_url", "parse_s3_url"]

# S3's rules for new buckets: 3-63 of lowercase letters, digits, '.' and '-', a letter or digit
# at each end.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    """Keys under it, without a leading '/'; '' for the whole bucket, else ends with '/'."""

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def is_s3_url(text: str) -> bool:
    return text.startswith("s3://")


def parse_s3_url(url: str) -> S3Location:
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not is_s3_url(url) or not _BUCKET.match(bucket) or ".." in bucket:
        raise ToolError(
            "PRISM_S3_URL_INVALID",
            f"{url!r} is not an S3 location: it takes the form s3://BUCKET or"
            " s3://BUCKET/PREFIX, BUCKET being 3-63 lowercase letters, digits, '.' or '-'.",
            suggestions=["For example: s3://my-lab-data/genomes/2026"],
            exit_code=ExitCode.USAGE,
        )
    prefix = prefix.strip("/")
    return S3Location(bucket, f"{prefix}/" if prefix else "")
