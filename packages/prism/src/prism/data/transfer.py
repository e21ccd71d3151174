"""Syncing a local folder (or file) with an S3 prefix (or one object), both ways. A file whose
size and ETag/MD5 already match is skipped, so an interrupted sync resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import translate
from prism.data.etag import CHUNK, same_etag
from prism.data.location import S3Location
from prism.data.results import S3Object, Sync

__all__ = ["download", "list_objects", "upload"]

Progress = Callable[[int], None]
"""Called with the bytes each transfer step moved."""


def _bucket_missing(location: S3Location) -> ToolError:
    return ToolError(
        "PRISM_BUCKET_NOT_FOUND",
        f"There is no bucket {location.bucket!r} (or this profile may not see it).",
        suggestions=[
            "Check the name: aws s3 ls",
            "Or use another profile: prism profiles use NAME",
        ],
        exit_code=ExitCode.NOT_FOUND,
    )


def list_objects(s3: Any, location: S3Location) -> list[S3Object]:
    from botocore.exceptions import BotoCoreError, ClientError

    found: list[S3Object] = []
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                found.append(
                    S3Object(
                        key=item["Key"],
                        size=item["Size"],
                        etag=item["ETag"].strip('"'),
                        last_modified=item["LastModified"],
                    )
                )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchBucket":
            raise _bucket_missing(location) from exc
        raise translate(exc, "ListObjectsV2") from exc
    except BotoCoreError as exc:
        raise translate(exc, "ListObjectsV2") from exc
    return found


def _config() -> Any:
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=CHUNK, multipart_chunksize=CHUNK)


def _local_files(root: Path) -> Iterator[tuple[str, Path]]:
    if root.is_file():
        yield root.name, root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path


def _same(path: Path, remote: S3Object) -> bool:
    return path.stat().st_size == remote.size and same_etag(path, remote.etag)


def upload(s3: Any, local: Path, location: S3Location, progress: Callable[[int], Progress]) -> Sync:
    """``progress(total_bytes)`` is called once, before copying, and gives the step callback."""
    if not local.exists():
        raise ToolError(
            "PRISM_LOCAL_PATH_NOT_FOUND",
            f"{local} does not exist.",
            suggestions=["Give a folder or file that exists on this machine."],
            exit_code=ExitCode.NOT_FOUND,
        )
    remote = {o.key: o for o in list_objects(s3, location)}
    todo: list[tuple[str, Path]] = []
    skipped: list[str] = []
    for relative, path in _local_files(local):
        there = remote.get(location.prefix + relative)
        if there and _same(path, there):
            skipped.append(relative)
        else:
            todo.append((relative, path))
    total = sum(path.stat().st_size for _, path in todo)
    aborted = _abort_leftovers(s3, location, {location.prefix + r for r, _ in todo})
    step = progress(total)
    for relative, path in todo:
        with _transfer("PutObject"):
            s3.upload_file(
                str(path),
                location.bucket,
                location.prefix + relative,
                Config=_config(),
                Callback=step,
            )
    return Sync(
        source=str(local),
        destination=str(location),
        transferred=[r for r, _ in todo],
        skipped=skipped,
        bytes=total,
        aborted_uploads=aborted,
    )


def _abort_leftovers(s3: Any, location: S3Location, keys: set[str]) -> list[str]:
    """Multipart uploads of the keys about to be copied that an interrupted sync left open
    (S3 keeps, and bills, their parts until they are aborted); aborted, their keys returned.
    """
    aborted: list[str] = []
    with _transfer("ListMultipartUploads"):
        pages = s3.get_paginator("list_multipart_uploads").paginate(
            Bucket=location.bucket, Prefix=location.prefix
        )
        open_uploads = [u for page in pages for u in page.get("Uploads", [])]
    for upload in open_uploads:
        if upload["Key"] in keys:
            with _transfer("AbortMultipartUpload"):
                s3.abort_multipart_upload(
                    Bucket=location.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
            aborted.append(upload["Key"].removeprefix(location.prefix))
    return sorted(set(aborted))


def _under(s3: Any, location: S3Location) -> list[tuple[str, S3Object]]:
    """The objects to copy, by the path each takes in the folder: those under the prefix, or,
    when the location names one object (s3://BUCKET/KEY), that object by its last name.
    """
    found = [(o.key.removeprefix(location.prefix), o) for o in list_objects(s3, location)]
    if found or not location.prefix:
        return found
    key = location.prefix.rstrip("/")
    one = [o for o in list_objects(s3, S3Location(location.bucket, key)) if o.key == key]
    return [(key.rpartition("/")[2], o) for o in one]


def download(
    s3: Any, location: S3Location, local: Path, progress: Callable[[int], Progress]
) -> Sync:
    """Objects under the prefix (or the one object named) into the folder ``local`` (made when
    missing), keyed by the rest of their key.
    """
    if local.exists() and not local.is_dir():
        raise ToolError(
            "PRISM_LOCAL_PATH_NOT_FOLDER",
            f"{local} is a file: a download from S3 goes into a folder.",
            suggestions=[f"Give a folder (made when missing), e.g. {local.parent / 'download'}"],
            exit_code=ExitCode.USAGE,
        )
    found = _under(s3, location)
    if not found:
        raise ToolError(
            "PRISM_S3_NOTHING_THERE",
            f"There is nothing under {location}: no object has that prefix or key.",
            suggestions=[f"See what the bucket holds: prism data ls s3://{location.bucket}"],
            exit_code=ExitCode.NOT_FOUND,
        )
    todo: list[tuple[str, S3Object]] = []
    skipped: list[str] = []
    for relative, item in found:
        if not relative or relative.endswith("/"):
            continue  # a "folder" marker object
        if ".." in Path(relative).parts or Path(relative).is_absolute():
            continue  # a key that would land outside the folder ("p//etc/x" under "p/")
        target = local / relative
        if target.is_file() and _same(target, item):
            skipped.append(relative)
        else:
            todo.append((relative, item))
    step = progress(sum(item.size for _, item in todo))
    for relative, item in todo:
        target = local / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with _transfer("GetObject"):
            s3.download_file(
                location.bucket, item.key, str(target), Config=_config(), Callback=step
            )
    return Sync(
        source=str(location),
        destination=str(local),
        transferred=[r for r, _ in todo],
        skipped=skipped,
        bytes=sum(item.size for _, item in todo),
    )


@contextmanager
def _transfer(operation: str) -> Iterator[None]:
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, operation) from exc
    except S3UploadFailedError as exc:
        raise ToolError(
            "PRISM_S3_UPLOAD_FAILED",
            f"An upload failed: {exc}",
            suggestions=["Run the same sync again: files already copied are skipped."],
            exit_code=ExitCode.FAILURE,
        ) from exc
