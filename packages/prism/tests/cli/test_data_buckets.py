"""A project's data buckets through the CLI, in the sandbox (prismd in this process, the
emulator's S3 and IAM): attached, in the rendered setup script as Mountpoint units, granted by a
policy scoped to the bucket and prefix on the project's own instance profile, which a launched
workstation carries; removed again without touching the data; bad input refused clearly.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

READ = ["s3:GetObject"]
WRITE = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
PROFILE = "prism-project-genomics"
README = Path(__file__).parents[2] / "README.md"


@pytest.fixture(scope="module")
def lab_data(clocked: Any) -> Any:
    """Two buckets in the sandbox's account, one with a dataset under a prefix."""
    s3 = clocked.client("s3")
    for bucket in ("lab-genomes", "lab-results"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="lab-genomes", Key="sets/2026/sample.fa", Body=b">a\nACGT\n")
    s3.put_object(Bucket="lab-genomes", Key="private/secret.txt", Body=b"not for the project")
    clocked.json("project", "create", "genomics")
    return s3


def test_a_bucket_attached_to_a_project_is_in_its_setup_script_with_a_scoped_policy(
    clocked: Any, lab_data: Any, tmp_path: Path, system_tool: Any
) -> None:
    added = clocked.json(
        "data", "bucket", "add", "genomes", "s3://lab-genomes/sets/2026", "--read-only",
        "--project", "genomics",
    )  # fmt: skip
    bucket = added["bucket"]
    assert (bucket["bucket"], bucket["prefix"], bucket["read_only"]) == (
        "lab-genomes",
        "sets/2026/",
        True,
    )
    assert (bucket["mount_point"], bucket["region"]) == ("/data/genomes", "us-east-1")
    assert added["instance_profile"] == PROFILE
    assert added["policy"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DataGenomesList",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": "arn:aws:s3:::lab-genomes",
                "Condition": {"StringLike": {"s3:prefix": ["sets/2026/", "sets/2026/*"]}},
            },
            {
                "Sid": "DataGenomesRead",
                "Effect": "Allow",
                "Action": READ,
                "Resource": "arn:aws:s3:::lab-genomes/sets/2026/*",
            },
        ],
    }
    # The only project: --project may be left out.
    results = clocked.json("data", "bucket", "add", "results", "s3://lab-results")
    assert results["bucket"]["project"] == "genomics"
    assert [s["Action"] for s in results["policy"]["Statement"][2:]] == [["s3:ListBucket"], WRITE]
    assert "Condition" not in results["policy"]["Statement"][2]

    # The policy is the role's in IAM, and the profile holds the role.
    iam = clocked.client("iam")
    stored = iam.get_role_policy(RoleName=PROFILE, PolicyName="prism-data-buckets")
    assert stored["PolicyDocument"] == results["policy"]
    profile = iam.get_instance_profile(InstanceProfileName=PROFILE)["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [PROFILE]

    # The setup script a workstation of the project runs mounts both, as systemd units.
    rendered = clocked.run("templates", "render", "ubuntu-server", "--project", "genomics")
    assert rendered.returncode == 0, rendered.stderr
    script = rendered.stdout
    assert "mountpoint-s3-release/latest/$mountpoint_arch/mount-s3" in script
    assert "cat > /etc/systemd/system/prism-data-genomes.service <<'PRISM_UNIT'" in script
    assert (
        "ExecStart=/usr/bin/mount-s3 --allow-other --region us-east-1 --prefix sets/2026/"
        " --read-only lab-genomes /data/genomes"
    ) in script
    assert (
        "ExecStart=/usr/bin/mount-s3 --allow-other --region us-east-1 --allow-overwrite"
        " --allow-delete --dir-mode 0777 --file-mode 0666 lab-results /data/results"
    ) in script
    assert "prism_enable prism-data-results" in script
    assert "run_stage data_buckets stage_data_buckets" in script
    saved = tmp_path / "setup.sh"
    saved.write_text(script)
    shellcheck = system_tool("shellcheck", package="shellcheck")
    subprocess.run([shellcheck, "--severity=warning", str(saved)], check=True)

    # A workstation launched into the project carries the project's profile and that script.
    assert clocked.run("launch", "ubuntu-server", "g1", "--project", "genomics").returncode == 0
    instance_id = clocked.json("info", "g1")["workstation"]["instance_id"]
    ec2 = clocked.client("ec2")
    [reservation] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    arn = reservation["Instances"][0]["IamInstanceProfile"]["Arn"]
    assert arn.endswith(f":instance-profile/{PROFILE}")
    user_data = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
    booted = base64.b64decode(user_data["UserData"]["Value"]).decode()
    assert booted.startswith("#!/bin/bash\n")  # the script itself, as cloud-init runs it
    assert "ExecStart=/usr/bin/mount-s3" in booted and "/data/genomes" in booted
    # One outside the project keeps the shared profile.
    assert clocked.run("launch", "ubuntu-server", "alone").returncode == 0
    alone = clocked.json("info", "alone")["workstation"]["instance_id"]
    [other] = ec2.describe_instances(InstanceIds=[alone])["Reservations"]
    assert other["Instances"][0]["IamInstanceProfile"]["Arn"].endswith("/prism-workstation")

    listed = clocked.json("data", "ls", "genomes")
    assert [o["key"] for o in listed["objects"]] == ["sets/2026/sample.fa"]
    names = clocked.json("data", "bucket", "list", "--project", "genomics")["buckets"]
    assert [(b["name"], b["read_only"]) for b in names] == [("genomes", True), ("results", False)]
    table = clocked.run("data", "bucket", "list")
    assert "s3://lab-genomes/sets/2026" in table.stdout and "/data/results" in table.stdout

    for name in ("g1", "alone"):
        assert clocked.run("delete", name, "--yes").returncode == 0


def test_removing_asks_first_and_keeps_the_data(clocked: Any, lab_data: Any) -> None:
    declined = clocked.run("data", "bucket", "remove", "genomes", input="n\n")
    assert declined.returncode == 1
    assert "Detach genomes (s3://lab-genomes/sets/2026) from project genomics?" in (declined.stderr)
    assert "Nothing was changed" in declined.stderr
    assert [b["name"] for b in clocked.json("data", "bucket", "list")["buckets"]] == [
        "genomes",
        "results",
    ]

    removed = clocked.json("data", "bucket", "remove", "genomes", "--yes")
    assert removed["removed"] is True
    assert [s["Resource"] for s in removed["policy"]["Statement"]] == [
        "arn:aws:s3:::lab-results",
        "arn:aws:s3:::lab-results/*",
    ]
    iam = clocked.client("iam")
    stored = iam.get_role_policy(RoleName=PROFILE, PolicyName="prism-data-buckets")
    assert stored["PolicyDocument"] == removed["policy"]
    kept = lab_data.list_objects_v2(Bucket="lab-genomes")["Contents"]
    assert sorted(o["Key"] for o in kept) == ["private/secret.txt", "sets/2026/sample.fa"]

    said = clocked.run("data", "bucket", "remove", "results", input="y\n")
    assert said.returncode == 0, said.stderr
    assert "Nothing in S3 was deleted" in said.stdout
    assert clocked.json("data", "bucket", "list")["buckets"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role_policy(RoleName=PROFILE, PolicyName="prism-data-buckets")
    rendered = clocked.run("templates", "render", "ubuntu-server", "--project", "genomics")
    assert "mount-s3" not in rendered.stdout


def test_the_readme_example_is_what_the_cli_prints(clocked: Any, lab_data: Any) -> None:
    section = README.read_text().split("## Data buckets", 1)[1].split("\n## ", 1)[0]
    example = section.split("```console\n", 1)[1].split("```", 1)[0]
    command = "prism data bucket add genomes s3://lab-genomes/sets/2026 --read-only --project"
    shown = example.split(command + " genomics\n", 1)[1].split("$ ", 1)[0]
    printed = clocked.run(*command.split()[1:], "genomics")
    assert printed.returncode == 0, printed.stderr
    words = re.compile(r"\s+")
    assert words.sub(" ", printed.stdout).strip() == words.sub(" ", shown).strip()
    script = clocked.run("templates", "render", "ubuntu-server", "--project", "genomics").stdout
    for line in example.split("| grep mount-s3\n", 1)[1].split("$ ", 1)[0].splitlines():
        assert line in script.splitlines()
    assert clocked.run("data", "bucket", "remove", "genomes", "--yes").returncode == 0


GENOMICS = ["--project", "genomics"]


@pytest.mark.parametrize(
    ("args", "exit_code", "code"),
    [
        (["add", "raw", "s3://Lab_Genomes", *GENOMICS], 2, "PRISM_S3_URL_INVALID"),
        (["add", "raw", "https://lab-genomes/sets", *GENOMICS], 2, "PRISM_S3_URL_INVALID"),
        (["add", "raw", "s3://lab-genomes/sets/*", *GENOMICS], 2, "PRISM_BUCKET_PREFIX_UNSAFE"),
        (["add", "raw", "s3://lab-genomes/a b", *GENOMICS], 2, "PRISM_BUCKET_PREFIX_UNSAFE"),
        (["add", "raw", "s3://no-such-lab-bucket", *GENOMICS], 3, "PRISM_BUCKET_NOT_FOUND"),
        (["add", "Raw/Data", "s3://lab-genomes", *GENOMICS], 2, "PRISM_DATA_BUCKET_NAME_INVALID"),
        (["add", "raw", "s3://lab-genomes", "--project", "nope"], 3, "PRISM_PROJECT_NOT_FOUND"),
        (["add", "taken", "s3://lab-genomes/sets", *GENOMICS], 4, "PRISM_DATA_BUCKET_EXISTS"),
        (["remove", "nothing-here", "--yes"], 3, "PRISM_DATA_BUCKET_NOT_FOUND"),
    ],
)
def test_bad_input_is_a_clear_error(
    clocked: Any, lab_data: Any, args: list[str], exit_code: int, code: str
) -> None:
    if code == "PRISM_DATA_BUCKET_EXISTS":
        clocked.json("data", "bucket", "add", "taken", "s3://lab-results", *GENOMICS)
    exit, problem = clocked.problem("data", "bucket", *args)
    assert (exit, problem["code"]) == (exit_code, code), problem
    assert problem["suggestions"]
    if code == "PRISM_DATA_BUCKET_EXISTS":
        clocked.json("data", "bucket", "remove", "taken", "--yes")
    assert all(b["name"] != "raw" for b in clocked.json("data", "bucket", "list")["buckets"])


def test_several_projects_need_project_named(clocked: Any, lab_data: Any) -> None:
    clocked.json("project", "create", "second")
    exit, problem = clocked.problem("data", "bucket", "add", "raw", "s3://lab-genomes")
    assert (exit, problem["code"]) == (2, "PRISM_PROJECT_REQUIRED")
    assert "genomics, second" in problem["detail"]
    exit, problem = clocked.problem("data", "ls", "no-such-name")
    assert (exit, problem["code"]) == (3, "PRISM_DATA_BUCKET_NOT_FOUND")
    assert "prism data ls s3://no-such-name" in problem["suggestions"][-1]
    assert json.loads(clocked.run("project", "delete", "second", "-o", "json").stdout)


def test_workstations_already_there_follow_a_bucket_added_and_removed(
    clocked: Any, lab_data: Any
) -> None:
    clocked.json("project", "create", "live")
    assert clocked.run("launch", "ubuntu-server", "early", "--project", "live").returncode == 0
    instance_id = clocked.json("info", "early")["workstation"]["instance_id"]
    ec2, ssm = clocked.client("ec2"), clocked.client("ssm")

    def profile_of() -> str:
        found = ec2.describe_iam_instance_profile_associations(
            Filters=[{"Name": "instance-id", "Values": [instance_id]}]
        )["IamInstanceProfileAssociations"]
        arn: str = found[0]["IamInstanceProfile"]["Arn"]
        return arn.rpartition("/")[2]

    def sent(command_id: str) -> list[str]:
        [command] = ssm.list_commands(CommandId=command_id)["Commands"]
        # moto's SendCommand lists every instance it knows beside the one asked for.
        assert instance_id in command["InstanceIds"]
        lines: list[str] = command["Parameters"]["commands"]
        return lines

    assert profile_of() == "prism-workstation"  # launched before the project had a bucket
    added = clocked.json(
        "data", "bucket", "add", "live-set", "s3://lab-results/live", "--project", "live"
    )
    assert added["profile_given_to"] == ["early"]
    assert added["notes"] == []
    assert profile_of() == "prism-project-live"
    mounting = sent(added["commands"]["early"])
    assert "systemd_running() { [ -d /run/systemd/system ]; }" in mounting
    assert "prism_enable prism-data-live-set" in mounting
    again = clocked.json(
        "data", "bucket", "add", "live-two", "s3://lab-genomes", "--project", "live"
    )
    assert again["profile_given_to"] == []  # it has the project's profile already
    assert list(again["commands"]) == ["early"]

    removed = clocked.json("data", "bucket", "remove", "live-set", "--yes")
    unmounting = sent(removed["commands"]["early"])
    assert "  systemctl disable --now prism-data-live-set || true" in unmounting
    assert not any("rm -rf" in line or "s3 rm" in line for line in unmounting)
    assert profile_of() == "prism-project-live"
    assert clocked.run("delete", "early", "--yes").returncode == 0
    exit, problem = clocked.problem("project", "delete", "live")
    assert (exit, problem["code"]) == (4, "PRISM_PROJECT_NOT_EMPTY")
    assert problem["context"]["members"] == ["bucket:live-two"]
    clocked.json("data", "bucket", "remove", "live-two", "--yes")
    assert clocked.json("project", "delete", "live")["project"]["name"] == "live"
    iam = clocked.client("iam")  # the project's profile and role went with it
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_instance_profile(InstanceProfileName="prism-project-live")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="prism-project-live")
