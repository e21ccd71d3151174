"""An object's ETag computed locally, so a sync can tell a file already there from one that
differs without downloading it: with prism's own part size, or with the part size another tool
(the AWS CLI set to other chunks, a console upload) must have used for the ETag's part count.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["CHUNK", "local_etag", "same_etag"]

CHUNK = 8 * 1024 * 1024
"""Multipart threshold and part size of every transfer (boto3's defaults, pinned here so the
ETags computed below stay the ones S3 gives)."""
_MIB = 1024 * 1024


def local_etag(path: Path, part_size: int = CHUNK) -> str:
    """An object's ETag: the MD5 of its bytes, or for a multipart upload the MD5 of its parts'
    MD5s followed by '-' and the number of parts.
    """
    parts: list[bytes] = []
    with path.open("rb") as source:
        while chunk := source.read(part_size):
            parts.append(hashlib.md5(chunk, usedforsecurity=False).digest())
    if path.stat().st_size < part_size:  # boto3 uploads from the threshold on in parts
        whole = parts[0] if parts else hashlib.md5(b"", usedforsecurity=False).digest()
        return whole.hex()
    joined = hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()
    return f"{joined}-{len(parts)}"


def _part_sizes(size: int, parts: int) -> list[int]:
    """Part sizes that split ``size`` bytes into ``parts`` parts: prism's, the sizes common
    tools use (S3's 5 MiB minimum, the AWS CLI's 8 MiB and powers of two up), and the smallest
    whole MiB that fits; most sizes leave one or two to try.
    """
    common = [CHUNK, *(n * _MIB for n in (5, 16, 32, 64, 128, 256, 512))]
    smallest = -(-size // (parts * _MIB)) * _MIB if parts else 0
    candidates = dict.fromkeys(p for p in [*common, smallest] if p)
    return [p for p in candidates if -(-size // p) == parts]


def same_etag(path: Path, etag: str) -> bool:
    """Whether the file's bytes are the object's, as far as its ETag tells."""
    _, dash, count = etag.partition("-")
    if not dash:
        whole = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                whole.update(chunk)
        return whole.hexdigest() == etag
    if not count.isdigit():
        return False  # an ETag of another kind (SSE-KMS...): cannot be computed here
    size = path.stat().st_size
    return any(local_etag(path, part) == etag for part in _part_sizes(size, int(count)))
