"""Images on an AWS profile when the vendor's public SSM parameter is missing: DescribeImages by
the publisher's owner id and the name it publishes under, newest first, for every base. The
emulator runs as its own process, seeded (MOTO_AMIS_PATH) with images named as Canonical,
Amazon, Debian, Rocky and Red Hat name theirs, plus look-alikes from another owner.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from groundwork.errors import ToolError
from prism.cloud.images import BASES, ImageFinder

CORPUS = Path(__file__).parents[1] / "fixtures" / "original-corpus"

# (base, architecture, owner, the name as its publisher names it)
PUBLISHED = [
    (
        "ubuntu-20.04",
        "x86_64",
        "099720109477",
        "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-{d}",
    ),
    (
        "ubuntu-22.04",
        "x86_64",
        "099720109477",
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-{d}",
    ),
    (
        "ubuntu-22.04",
        "arm64",
        "099720109477",
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-{d}",
    ),
    (
        "ubuntu-24.04",
        "x86_64",
        "099720109477",
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-{d}",
    ),
    (
        "ubuntu-24.04",
        "arm64",
        "099720109477",
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-{d}",
    ),
    ("amazonlinux-2023", "x86_64", "137112412989", "al2023-ami-2023.4.{d}.1-kernel-6.1-x86_64"),
    ("amazonlinux-2023", "arm64", "137112412989", "al2023-ami-2023.4.{d}.1-kernel-6.1-arm64"),
    ("amazon-linux-2", "x86_64", "137112412989", "amzn2-ami-hvm-2.0.{d}.2-x86_64-gp2"),
    ("debian-11", "x86_64", "136693071363", "debian-11-amd64-{d}-1616"),
    ("debian-12", "x86_64", "136693071363", "debian-12-amd64-{d}-1654"),
    ("debian-12", "arm64", "136693071363", "debian-12-arm64-{d}-1654"),
    ("rocky-8", "x86_64", "792107900819", "Rocky-8-EC2-Base-8.9-{d}.0.x86_64"),
    ("rocky-9", "x86_64", "792107900819", "Rocky-9-EC2-Base-9.3-{d}.0.x86_64"),
    ("rocky-9", "arm64", "792107900819", "Rocky-9-EC2-Base-9.3-{d}.0.aarch64"),
    ("rhel-9", "x86_64", "309956199498", "RHEL-9.3.0_HVM-{d}-x86_64-49-Hourly2-GP3"),
]
OLD, NEW, LOOKALIKE = "20240101", "20240301", "20240901"


def _images() -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
    images, newest = [], {}
    for index, (base, arch, owner, name) in enumerate(PUBLISHED):
        for offset, (day, who) in enumerate(
            [(OLD, owner), (NEW, owner), (LOOKALIKE, "111122223333")]
        ):
            ami = f"ami-{index:04x}{offset:04x}aaaaaaaaa"
            images.append(
                {
                    "ami_id": ami,
                    "name": name.format(d=day),
                    "owner_id": who,
                    "architecture": arch,
                    "creation_date": f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00.000Z",
                    "state": "available",
                    "public": True,
                    "virtualization_type": "hvm",
                    "root_device_type": "ebs",
                    "root_device_name": "/dev/sda1",
                    "image_type": "machine",
                    "description": f"{base} {arch}",
                }
            )
            if day == NEW:
                newest[(base, arch)] = ami
    return images, newest


@pytest.fixture(scope="module")
def publishers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[Any, str]]]:
    folder = tmp_path_factory.mktemp("publishers")
    images, newest = _images()
    (folder / "amis.json").write_text(json.dumps(images))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MOTO_AMIS_PATH": str(folder / "amis.json")}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            assert server.poll() is None, "the emulator exited at start"
            try:
                if httpx.get(f"{url}/moto-api/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url, newest
    finally:
        server.terminate()
        server.wait()


def _client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )


def test_every_base_falls_back_to_its_publishers_images(
    publishers: tuple[str, dict[Any, str]], tmp_path: Path
) -> None:
    url, newest = publishers
    finder = ImageFinder(
        _client(url, "ec2"), _client(url, "ssm"), tmp_path / "cache.json", ssm_prefix="/none"
    )
    assert {base for base, _ in newest} == set(BASES)
    for (base, arch), ami in newest.items():
        assert finder.find(base, arch, "us-east-1") == ami, (base, arch)


def test_a_base_without_images_says_what_was_tried(
    publishers: tuple[str, dict[Any, str]], tmp_path: Path
) -> None:
    url, _ = publishers
    finder = ImageFinder(_client(url, "ec2"), _client(url, "ssm"), tmp_path / "c.json")
    with pytest.raises(ToolError) as missing:
        finder.find("rhel-9", "arm64", "us-east-1")
    error = missing.value
    assert error.code == "PRISM_IMAGE_NOT_FOUND"
    assert "RHEL-9.*_HVM-*-aarch64-*" in error.message
    assert "Red Hat (owner 309956199498)" in error.message
    assert not any("Known bases" in s for s in error.suggestions)
    with pytest.raises(ToolError) as unknown:
        finder.find("plan9", "x86_64", "us-east-1")
    assert unknown.value.code == "PRISM_BASE_UNKNOWN"
    assert "ubuntu-24.04" in unknown.value.suggestions[0]


def test_launch_on_an_aws_profile_without_ssm_parameters(
    prism: Any, publishers: tuple[str, dict[Any, str]], tmp_path: Path
) -> None:
    url, newest = publishers
    (tmp_path / "credentials").write_text(
        "[pub]\naws_access_key_id = k\naws_secret_access_key = s\n"
    )
    (tmp_path / "config").write_text("[profile pub]\nregion = us-east-1\n")
    env = {
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_ENDPOINT_URL": url,
    }
    state = tmp_path / "state"
    try:
        added = prism.run(state, "profiles", "add", "pub", "--use", env=env)
        assert added.returncode == 0, added.stderr
        ws = prism.json(state, "launch", "ubuntu-server", "noble", env=env)["workstation"]
        assert ws["image_id"] == newest[("ubuntu-24.04", "x86_64")]
        assert ws["state"] == "running"
        desk = prism.json(
            state,
            "launch",
            "rocky-linux-base",
            "rocky",
            "--size",
            "S",
            env=env,
        )["workstation"]
        assert desk["image_id"] == newest[("rocky-9", "x86_64")]
        assert desk["login_user"] == "rocky"
        corpus = {**env, "PRISM_TEMPLATE_PATH": str(CORPUS)}
        dcv = prism.json(state, "launch", "ubuntu-22-04-desktop", "dcv", env=corpus)
        assert dcv["workstation"]["desktop"] == "dcv"
        assert dcv["workstation"]["image_id"] == newest[("ubuntu-22.04", "x86_64")]
        tunnel = prism.json(state, "web", "dcv", "desktop", env=corpus)["tunnel"]
        assert tunnel["url"].startswith("https://127.0.0.1:")
        assert any(arg.endswith(":localhost:8443") for arg in tunnel["command"])
        connection = prism.json(state, "connect", "dcv", env=corpus)["connection"]
        assert connection["desktop"].startswith("prism web dcv desktop: NICE DCV")
        shown = prism.run(state, "connect", "dcv", "--print", env=corpus)
        assert "Desktop: prism web dcv desktop" in shown.stdout
        vnc = prism.json(state, "launch", "xfce-desktop", "vnc", env=corpus)["workstation"]
        assert vnc["image_id"] == newest[("debian-12", "x86_64")]
        assert vnc["login_user"] == "admin"
        url = prism.json(state, "web", "vnc", "desktop", env=corpus)["tunnel"]["url"]
        assert url.endswith("/vnc.html?autoconnect=true&resize=remote")
    finally:
        prism.stop_daemon(state, env)
