"""The ETag S3 gives an object uploaded with prism's transfer settings, computed locally, so a
sync can tell a file already there from one that differs without downloading it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["CHUNK", "local_etag"]

CHUNK = 8 * 1024 * 1024
"""Multipart threshold and part size of every transfer (boto3's defaults, pinned here so the
ETags computed below stay the ones S3 gives)."""


def local_etag(path: Path) -> str:
    """An object's ETag: the MD5 of its bytes, or for a multipart upload the MD5 of its parts'
    MD5s followed by '-' and the number of parts.
    """
    parts: list[bytes] = []
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            parts.append(hashlib.md5(chunk, usedforsecurity=False).digest())
    if path.stat().st_size < CHUNK:  # boto3 uploads from the threshold on in parts
        whole = parts[0] if parts else hashlib.md5(b"", usedforsecurity=False).digest()
        return whole.hex()
    joined = hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()
    return f"{joined}-{len(parts)}"
