"""What `prism data ls` and `prism data sync` answer with `--output json`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["ObjectList", "S3Object", "Sync", "SyncResult"]


class S3Object(BaseModel):
    key: str
    size: int
    etag: str
    last_modified: datetime


class ObjectList(BaseModel):
    location: str
    objects: list[S3Object]


class Sync(BaseModel):
    source: str
    destination: str
    transferred: list[str] = Field(description="Files copied, relative to the source.")
    skipped: list[str] = Field(
        description="Files already at the destination (same size and ETag/MD5), not copied."
    )
    bytes: int = Field(description="Bytes copied.")
    aborted_uploads: list[str] = Field(
        default_factory=list,
        description="Files whose unfinished multipart upload (an interrupted sync's, its parts"
        " billed by S3) was aborted before copying them again.",
    )


class SyncResult(BaseModel):
    sync: Sync
