"""`prism data sync` and `prism data ls` against moto's S3 over HTTP, with an AWS profile: a
second sync copies only what changed, a download lands the same bytes, bad input is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BIG = 9 * 1024 * 1024  # past the 8 MiB part size: uploaded in two parts, a multipart ETag


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    yield tmp_path / "state"
    prism.stop_daemon(tmp_path / "state", lab.env)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    (folder / "raw").mkdir(parents=True)
    (folder / "README.txt").write_text("three files\n")
    (folder / "raw" / "a.csv").write_text("x,y\n1,2\n")
    (folder / "raw" / "big.bin").write_bytes(os.urandom(BIG))
    return folder


def test_sync_uploads_resumes_downloads_and_lists(
    prism: Any, lab: Any, state: Path, dataset: Path, tmp_path: Path
) -> None:
    env = lab.env
    lab.use_profile(prism, state)
    lab.client("s3").create_bucket(
        Bucket="sync-lab", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )

    first = prism.json(state, "data", "sync", str(dataset), "s3://sync-lab/sets/one", env=env)
    assert sorted(first["sync"]["transferred"]) == ["README.txt", "raw/a.csv", "raw/big.bin"]
    assert first["sync"]["skipped"] == []
    assert first["sync"]["bytes"] == BIG + len("three files\n") + len("x,y\n1,2\n")

    (dataset / "raw" / "a.csv").write_text("x,y\n1,3\n")
    again = prism.json(state, "data", "sync", str(dataset), "s3://sync-lab/sets/one/", env=env)
    assert again["sync"]["transferred"] == ["raw/a.csv"]
    assert sorted(again["sync"]["skipped"]) == ["README.txt", "raw/big.bin"]

    listed = prism.json(state, "data", "ls", "s3://sync-lab/sets", env=env)
    assert {o["key"]: o["size"] for o in listed["objects"]} == {
        "sets/one/README.txt": 12,
        "sets/one/raw/a.csv": 8,
        "sets/one/raw/big.bin": BIG,
    }
    big = next(o for o in listed["objects"] if o["key"].endswith("big.bin"))
    assert big["etag"].endswith("-2")

    copy = tmp_path / "copy"
    down = prism.run(state, "data", "sync", "s3://sync-lab/sets/one", str(copy), env=env)
    assert down.returncode == 0, down.stderr
    assert "Copied 3 file(s)" in down.stdout
    for name in ("README.txt", "raw/a.csv", "raw/big.bin"):
        assert (copy / name).read_bytes() == (dataset / name).read_bytes()
    (copy / "README.txt").write_text("edited here\n")
    back = prism.json(state, "data", "sync", "s3://sync-lab/sets/one", str(copy), env=env)
    assert back["sync"]["transferred"] == ["README.txt"]
    assert (copy / "README.txt").read_text() == "three files\n"


@pytest.mark.parametrize(
    ("args", "exit_code", "code"),
    [
        (["data", "ls", "s3://Not_A_Bucket"], 2, "PRISM_S3_URL_INVALID"),
        (["data", "ls", "https://sync-lab"], 2, "PRISM_S3_URL_INVALID"),
        (["data", "ls", "s3://no-such-bucket-here"], 3, "PRISM_BUCKET_NOT_FOUND"),
        (["data", "sync", "a", "b"], 2, "PRISM_SYNC_DIRECTION"),
        (["data", "sync", "s3://a-b-c", "s3://d-e-f"], 2, "PRISM_SYNC_DIRECTION"),
        (["data", "sync", "/no/such/folder", "s3://sync-lab"], 3, "PRISM_LOCAL_PATH_NOT_FOUND"),
    ],
)
def test_bad_input_is_a_clear_error(
    prism: Any, lab: Any, state: Path, args: list[str], exit_code: int, code: str
) -> None:
    lab.use_profile(prism, state)
    result = prism.run(state, *args, "-o", "json", env=lab.env)
    assert result.returncode == exit_code, result.stderr
    problem = json.loads(result.stdout)
    assert problem["code"] == code
    assert problem["suggestions"]
