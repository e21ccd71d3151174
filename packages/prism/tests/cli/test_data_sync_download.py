"""`prism data sync` beyond the round trip test_data_sync makes: an object uploaded by another
tool in other-sized parts is recognised on the rerun (so a download resumes instead of starting
over), one object is downloaded by its key, a key that would land outside the folder is not
written, a location with nothing under it is an error, and the parts an interrupted upload left
open are aborted when the file is copied again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig

MIB = 1024 * 1024


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    folder = tmp_path / "state"
    lab.use_profile(prism, folder)
    yield folder
    prism.stop_daemon(folder, lab.env)


@pytest.fixture(scope="module")
def bucket(lab: Any) -> str:
    s3 = lab.client("s3")
    name = "download-lab"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return name


def test_parts_of_another_size_are_recognised_so_a_rerun_copies_nothing(
    prism: Any, lab: Any, state: Path, bucket: str, tmp_path: Path
) -> None:
    s3 = lab.client("s3")
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(11 * MIB))
    five = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_file(str(source), bucket, "runs/big.bin", Config=five)
    s3.put_object(Bucket=bucket, Key="runs/small.txt", Body=b"small\n")
    etag = s3.head_object(Bucket=bucket, Key="runs/big.bin")["ETag"].strip('"')
    assert etag.endswith("-3")  # 5 + 5 + 1 MiB: not prism's 8 MiB parts

    into = tmp_path / "into"
    first = prism.json(state, "data", "sync", f"s3://{bucket}/runs", str(into), env=lab.env)
    assert sorted(first["sync"]["transferred"]) == ["big.bin", "small.txt"]
    assert (into / "big.bin").read_bytes() == source.read_bytes()
    again = prism.json(state, "data", "sync", f"s3://{bucket}/runs", str(into), env=lab.env)
    assert again["sync"]["transferred"] == []
    assert sorted(again["sync"]["skipped"]) == ["big.bin", "small.txt"]
    # And the other way round: the same bytes are not uploaded again.
    up = prism.json(state, "data", "sync", str(into), f"s3://{bucket}/runs", env=lab.env)
    assert up["sync"]["transferred"] == []

    # One byte changed, same size: copied again.
    changed = bytearray(source.read_bytes())
    changed[-1] ^= 0xFF
    (into / "big.bin").write_bytes(bytes(changed))
    back = prism.json(state, "data", "sync", f"s3://{bucket}/runs", str(into), env=lab.env)
    assert back["sync"]["transferred"] == ["big.bin"]
    assert (into / "big.bin").read_bytes() == source.read_bytes()


def test_one_object_by_its_key(
    prism: Any, lab: Any, state: Path, bucket: str, tmp_path: Path
) -> None:
    lab.client("s3").put_object(Bucket=bucket, Key="notes/readme.md", Body=b"# notes\n")
    into = tmp_path / "one"
    done = prism.json(
        state, "data", "sync", f"s3://{bucket}/notes/readme.md", str(into), env=lab.env
    )
    assert done["sync"]["transferred"] == ["readme.md"]
    assert (into / "readme.md").read_bytes() == b"# notes\n"


def test_a_key_that_would_leave_the_folder_is_not_written(
    prism: Any, lab: Any, state: Path, bucket: str, tmp_path: Path
) -> None:
    s3 = lab.client("s3")
    outside = tmp_path / "outside.txt"
    s3.put_object(Bucket=bucket, Key=f"trap/{outside}", Body=b"escaped")
    s3.put_object(Bucket=bucket, Key="trap/inside.txt", Body=b"fine")
    into = tmp_path / "trap-folder"
    done = prism.json(state, "data", "sync", f"s3://{bucket}/trap", str(into), env=lab.env)
    assert done["sync"]["transferred"] == ["inside.txt"]
    assert not outside.exists()


@pytest.mark.parametrize(
    ("where", "to_file", "exit_code", "code"),
    [
        ("s3://download-lab/no/such/prefix", False, 3, "PRISM_S3_NOTHING_THERE"),
        ("s3://download-lab/notes", True, 2, "PRISM_LOCAL_PATH_NOT_FOLDER"),
    ],
)
def test_nothing_to_download_or_nowhere_to_put_it_is_an_error(
    prism: Any, lab: Any, state: Path, bucket: str, tmp_path: Path,
    where: str, to_file: bool, exit_code: int, code: str,
) -> None:  # fmt: skip
    lab.client("s3").put_object(Bucket=bucket, Key="notes/readme.md", Body=b"# notes\n")
    target = tmp_path / "target"
    if to_file:
        target.write_text("not a folder")
    result = prism.run(state, "data", "sync", where, str(target), "-o", "json", env=lab.env)
    problem = json.loads(result.stdout)
    assert (result.returncode, problem["code"]) == (exit_code, code)
    assert problem["suggestions"]
    assert target.read_text() == "not a folder" if to_file else not target.exists()


def test_an_interrupted_uploads_open_parts_are_aborted_when_it_runs_again(
    prism: Any, lab: Any, state: Path, bucket: str, tmp_path: Path
) -> None:
    s3 = lab.client("s3")
    folder = tmp_path / "up"
    folder.mkdir()
    (folder / "big.bin").write_bytes(os.urandom(9 * MIB))
    # What a sync killed mid-file leaves: an upload begun, one part sent, never completed.
    left = s3.create_multipart_upload(Bucket=bucket, Key="up/big.bin")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="up/big.bin", UploadId=left, PartNumber=1, Body=b"x" * MIB)
    other = s3.create_multipart_upload(Bucket=bucket, Key="up/someone-elses.bin")["UploadId"]

    done = prism.json(state, "data", "sync", str(folder), f"s3://{bucket}/up", env=lab.env)
    assert done["sync"]["transferred"] == ["big.bin"]
    assert done["sync"]["aborted_uploads"] == ["big.bin"]
    still_open = s3.list_multipart_uploads(Bucket=bucket, Prefix="up/").get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in still_open] == [("up/someone-elses.bin", other)]
    stored = s3.get_object(Bucket=bucket, Key="up/big.bin")["Body"].read()
    assert stored == (folder / "big.bin").read_bytes()
