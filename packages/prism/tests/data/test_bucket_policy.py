"""The S3 policy of a project's instance profile, checked for least privilege: the exact actions
of each mode, resources confined to the bucket and the keys under the prefix, listing
conditioned on the prefix, and nothing a crafted prefix could widen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from groundwork.errors import ToolError
from prism.data.buckets import DataBucket, checked_location
from prism.data.policy import READ_ACTIONS, WRITE_ACTIONS, bucket_policy, policy_json

WRITES = {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}


def bucket(name: str, url: str, *, read_only: bool) -> DataBucket:
    return DataBucket.at(
        checked_location(url),
        name=name,
        project="genomics",
        region="eu-west-1",
        read_only=read_only,
        added_by="opal",
        added_at=datetime.now(UTC),
    )


def statements(*buckets: DataBucket) -> list[dict[str, Any]]:
    policy = bucket_policy(buckets)
    assert policy is not None
    document = json.loads(policy_json(policy))
    assert document["Version"] == "2012-10-17"
    statements: list[dict[str, Any]] = document["Statement"]
    return statements


def test_read_only_lists_under_its_prefix_and_reads_only() -> None:
    listing, objects = statements(bucket("genomes", "s3://lab-data/sets/2026/", read_only=True))
    assert listing == {
        "Sid": "DataGenomesList",
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": "arn:aws:s3:::lab-data",
        "Condition": {"StringLike": {"s3:prefix": ["sets/2026/", "sets/2026/*"]}},
    }
    assert objects == {
        "Sid": "DataGenomesRead",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": "arn:aws:s3:::lab-data/sets/2026/*",
    }
    assert not WRITES & set(objects["Action"])


def test_read_write_adds_exactly_what_mountpoint_writes_with() -> None:
    listing, objects = statements(bucket("scratch", "s3://lab-data/scratch", read_only=False))
    assert listing["Action"] == ["s3:ListBucket"]
    assert objects["Action"] == [*READ_ACTIONS, *WRITE_ACTIONS]
    assert set(objects["Action"]) == {"s3:GetObject", *WRITES}
    assert objects["Resource"] == "arn:aws:s3:::lab-data/scratch/*"


def test_a_whole_bucket_needs_no_condition_and_reaches_only_that_bucket() -> None:
    listing, objects = statements(bucket("results", "s3://lab-results", read_only=False))
    assert "Condition" not in listing
    assert listing["Resource"] == "arn:aws:s3:::lab-results"
    assert objects["Resource"] == "arn:aws:s3:::lab-results/*"


def test_each_bucket_has_its_own_statements_and_nothing_else() -> None:
    found = statements(
        bucket("genomes", "s3://lab-data/sets/2026", read_only=True),
        bucket("scratch", "s3://lab-scratch/tmp", read_only=False),
    )
    assert len(found) == 4
    for statement in found:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        assert isinstance(actions, list)
        assert all(a.startswith("s3:") and "*" not in a for a in actions)
        resource = statement["Resource"]
        assert isinstance(resource, str)
        # The one wildcard is the last character, right after the prefix's '/'.
        assert "*" not in resource[:-1] and "?" not in resource
        assert resource.startswith(("arn:aws:s3:::lab-data", "arn:aws:s3:::lab-scratch"))
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
    read = [s for s in found if s["Resource"] == "arn:aws:s3:::lab-data/sets/2026/*"]
    assert [s["Action"] for s in read] == [["s3:GetObject"]]


def test_no_bucket_is_no_policy() -> None:
    assert bucket_policy([]) is None


@pytest.mark.parametrize(
    "url",
    [
        "s3://lab-data/*",
        "s3://lab-data/sets/*/raw",
        "s3://lab-data/sets?",
        "s3://lab-data/a b",
        "s3://lab-data/$HOME",
        "s3://lab-data/%i",
        "s3://lab-data/sets/../other",
    ],
)
def test_a_prefix_that_could_widen_the_policy_is_refused(url: str) -> None:
    with pytest.raises(ToolError) as error:
        checked_location(url)
    assert error.value.code == "PRISM_BUCKET_PREFIX_UNSAFE"


def test_a_policy_past_iams_limit_is_refused() -> None:
    many = [
        bucket(f"set-{n:03d}", f"s3://lab-data/projects/long-prefix-number-{n:03d}", read_only=True)
        for n in range(60)
    ]
    with pytest.raises(ToolError) as error:
        bucket_policy(many)
    assert error.value.code == "PRISM_BUCKET_POLICY_TOO_LARGE"
    assert bucket_policy(many[:10]) is not None


def test_statement_ids_differ_for_every_name() -> None:
    names = ["a-1", "a1", "a_1", "ab-c", "a-bc", "ab_c", "live-set", "livedset"]
    found = statements(*(bucket(n, f"s3://lab-data/{n}", read_only=True) for n in names))
    sids = [s["Sid"] for s in found]
    assert len(set(sids)) == len(sids) == 2 * len(names)
    assert all(sid.isalnum() for sid in sids)
