"""The project's role as IAM enforces it: prism makes the role and profile in moto's IAM (in an
account of the test's own, with AWS's managed policies loaded as every account has them), the
test takes the role's credentials as a workstation would, turns moto's request authorisation
on, and tries S3: what the bucket's mode allows works under the prefix, everything else is
refused. (moto does not evaluate conditions, so the listing's s3:prefix condition is checked on
the document, in test_bucket_policy.)
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import moto.settings
import pytest
from botocore.exceptions import ClientError

from prism.cloud.iam import DATA_POLICY_NAME, ensure_project_profile
from prism.data.buckets import DataBucket, checked_location
from prism.data.policy import bucket_policy

Client = Callable[..., Any]


def bucket(url: str, *, read_only: bool) -> DataBucket:
    return DataBucket.at(
        checked_location(url),
        name="set",
        project="genomics",
        region="us-east-1",
        read_only=read_only,
        added_by="opal",
        added_at=datetime.now(UTC),
    )


@pytest.fixture
def account(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Client:
    """Clients of a fresh account (its backends made now, with the managed policies)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    def client(service: str, creds: dict[str, str] | None = None) -> Any:
        keys = creds or {"aws_access_key_id": "admin", "aws_secret_access_key": "admin"}
        return boto3.client(service, endpoint_url=moto_url, region_name="us-east-1", **keys)

    number = f"{random.SystemRandom().randrange(10**11, 10**12):012d}"
    role = f"arn:aws:iam::{number}:role/admin"
    given = client("sts").assume_role(RoleArn=role, RoleSessionName="setup")["Credentials"]
    admin = {
        "aws_access_key_id": given["AccessKeyId"],
        "aws_secret_access_key": given["SecretAccessKey"],
        "aws_session_token": given["SessionToken"],
    }
    assert client("sts", admin).get_caller_identity()["Account"] == number
    return lambda service, creds=None: client(service, creds or admin)


def _as_workstation(account: Client, project_bucket: DataBucket) -> Any:
    """An S3 client with the credentials of the project's role, which prism made."""
    s3 = account("s3")
    data, other = project_bucket.bucket, f"{project_bucket.bucket}-other"
    for name in (data, other):
        s3.create_bucket(Bucket=name)
    for key in ("sets/2026/sample.fa", "private/secret.txt"):
        s3.put_object(Bucket=data, Key=key, Body=b"data")
    s3.put_object(Bucket=other, Key="sets/2026/sample.fa", Body=b"data")
    iam = account("iam")
    profile = ensure_project_profile(iam, "genomics", bucket_policy([project_bucket]))
    held = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in held] == [profile]
    given = account("sts").assume_role(RoleArn=held[0]["Arn"], RoleSessionName="ws")
    creds = given["Credentials"]
    return account(
        "s3",
        {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        },
    )


def _allowed(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied", exc
        return False
    return True


@pytest.mark.parametrize("read_only", [True, False])
def test_the_role_reaches_its_prefix_in_its_mode_and_nothing_else(
    account: Client, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    data = f"lab-data-{uuid.uuid4().hex[:12]}"  # bucket names are global, even in moto
    other = f"{data}-other"
    ws = _as_workstation(account, bucket(f"s3://{data}/sets/2026", read_only=read_only))
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    tries = {
        "list its prefix": lambda: ws.list_objects_v2(Bucket=data, Prefix="sets/2026/"),
        "read under it": lambda: ws.get_object(Bucket=data, Key="sets/2026/sample.fa"),
        "read beside it": lambda: ws.get_object(Bucket=data, Key="private/secret.txt"),
        "read another bucket": lambda: ws.get_object(Bucket=other, Key="sets/2026/sample.fa"),
        "list another bucket": lambda: ws.list_objects_v2(Bucket=other),
        "list every bucket": ws.list_buckets,
        "write under it": lambda: ws.put_object(Bucket=data, Key="sets/2026/new.txt", Body=b"new"),
        "start an upload under it": lambda: ws.create_multipart_upload(
            Bucket=data, Key="sets/2026/big.bin"
        ),
        "delete under it": lambda: ws.delete_object(Bucket=data, Key="sets/2026/sample.fa"),
        "write beside it": lambda: ws.put_object(Bucket=data, Key="private/new.txt", Body=b"new"),
        "delete beside it": lambda: ws.delete_object(Bucket=data, Key="private/secret.txt"),
        "change the bucket's policy": lambda: ws.delete_bucket_policy(Bucket=data),
    }
    allowed = {what for what, call in tries.items() if _allowed(call)}
    writes = {"write under it", "start an upload under it", "delete under it"}
    assert allowed == {"list its prefix", "read under it", *(() if read_only else writes)}


def test_removing_the_last_bucket_takes_the_policy_away(account: Client) -> None:
    iam = account("iam")
    ensure_project_profile(
        iam, "genomics", bucket_policy([bucket("s3://lab-data", read_only=True)])
    )
    names = iam.list_role_policies(RoleName="prism-project-genomics")["PolicyNames"]
    assert sorted(names) == [DATA_POLICY_NAME, "prism-idle-metrics"]
    ensure_project_profile(iam, "genomics", None)
    names = iam.list_role_policies(RoleName="prism-project-genomics")["PolicyNames"]
    assert names == ["prism-idle-metrics"]
    attached = iam.list_attached_role_policies(RoleName="prism-project-genomics")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == [
        "AmazonSSMManagedInstanceCore"
    ]
