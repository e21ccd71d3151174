"""Runs moto's server as its own process, so the sandbox outlives daemon restarts.

The process is found again through ``sandbox.json`` (pid, its start time to rule out a reused
pid, and the port). A fresh sandbox is seeded with one image per base OS and architecture,
published under ``/prism/sandbox/ami/<base>/<arch>`` in SSM, because moto reserves ``/aws/`` and
lacks the vendors' parameters. The images are loaded at moto's start (MOTO_AMIS_PATH), since its
RegisterImage drops the architecture: so an arm64 launch runs an image EC2 says is arm64. It
loads AWS's managed IAM policies, as every account has them (the workstations' instance profile
attaches AmazonSSMManagedInstanceCore): about 0.6 s on its first IAM call.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import psutil

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import open_private_log
from groundwork.paths import private_dir
from groundwork.state import atomic_write_json
from prism.cloud.images import BASES

__all__ = ["SANDBOX_CREDENTIALS", "SSM_PREFIX", "Sandbox", "stand_in_image"]

SSM_PREFIX = "/prism/sandbox/ami"
SANDBOX_CREDENTIALS = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
ARCHITECTURES = ("x86_64", "arm64")
SEEDED_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


class Sandbox:
    def __init__(self, home: Path) -> None:
        self.folder = home / "sandbox"
        self.info_file = self.folder / "sandbox.json"
        self.log_file = self.folder / "moto.log"

    def url(self) -> str | None:
        """The endpoint of the running sandbox, or None."""
        info = self._info()
        if info is None:
            return None
        try:
            process = psutil.Process(int(info["pid"]))
            if abs(process.create_time() - float(info["create_time"])) > 1:
                return None
        except (psutil.Error, KeyError, ValueError):
            return None
        return str(info["url"])

    def ensure(self, region: str = "us-east-1") -> str:
        """Start and seed the sandbox if needed; safe when several callers race, and when an
        earlier caller died halfway (a sandbox still booting is waited for, not duplicated).
        """
        info = self._info()
        url = self.url()
        if url and info and info.get("seeded") and self._answers(url):
            return url
        with self._start_lock():
            url = self.url()
            if url is None or not self._wait_until_answering(url, 30):
                self.stop()
                url = self._start()
            info = self._info()
            if not (info and info.get("seeded")):
                self._seed(url)
                self._write_info({**(info or {}), "seeded": True})
            return url

    def stop(self) -> bool:
        info = self._info()
        if info is None or self.url() is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(info["pid"]), signal.SIGTERM)
        with contextlib.suppress(FileNotFoundError):
            self.info_file.unlink()
        return True

    def client(self, service: str, url: str, region: str) -> Any:
        return boto3.client(service, endpoint_url=url, region_name=region, **SANDBOX_CREDENTIALS)

    def _start(self) -> str:
        private_dir(self.folder)
        port = _free_port()
        images = self.folder / "amis.json"
        atomic_write_json(images, [_image(base, arch) for base in BASES for arch in ARCHITECTURES])
        environment = {
            **os.environ,
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            "MOTO_AMIS_PATH": str(images),
        }
        with open_private_log(self.log_file) as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                env=environment,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        # Recorded before it answers, so a caller that dies now leaves a process we can find.
        self._write_info(
            {
                "pid": process.pid,
                "create_time": psutil.Process(process.pid).create_time(),
                "url": url,
                "started_at": time.time(),
                "seeded": False,
            }
        )
        if not self._wait_until_answering(url, 30, process):
            process.kill()
            raise ToolError(
                "PRISM_SANDBOX_START_FAILED",
                "The sandbox (an AWS emulator on this machine) did not start.",
                suggestions=[
                    f"Look at its log: {self.log_file}",
                    "Run `prism doctor` to check the installation.",
                ],
                exit_code=ExitCode.UNAVAILABLE,
            )
        return url

    def _wait_until_answering(
        self, url: str, seconds: float, process: subprocess.Popen[bytes] | None = None
    ) -> bool:
        deadline = time.monotonic() + seconds
        while not self._answers(url):
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _write_info(self, info: dict[str, Any]) -> None:
        atomic_write_json(self.info_file, info, private=True)

    def _seed(self, url: str) -> None:
        for region in SEEDED_REGIONS:
            ec2 = self.client("ec2", url, region)
            ssm = self.client("ssm", url, region)
            loaded = {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]}
            for base in BASES:
                for arch in ARCHITECTURES:
                    image = _image(base, arch)["ami_id"]
                    if image not in loaded:
                        raise ToolError(
                            "PRISM_SANDBOX_START_FAILED",
                            f"The sandbox's emulator did not load its {base} {arch} image.",
                            suggestions=[f"Look at its log: {self.log_file}"],
                            exit_code=ExitCode.UNAVAILABLE,
                        )
                    ssm.put_parameter(
                        Name=f"{SSM_PREFIX}/{base}/{arch}",
                        Value=image,
                        Type="String",
                        Overwrite=True,
                    )

    def _info(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.info_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            return httpx.get(f"{url}/moto-api/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @contextlib.contextmanager
    def _start_lock(self) -> Iterator[None]:
        private_dir(self.folder)
        with (self.folder / "start.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def stand_in_image(ec2: Any, ssm: Any, architecture: str) -> str:
    """An image of the sandbox's own that simulates one it has no copy of (a template's
    ``ami_config`` image lives in some AWS account, not in the emulator); made on first use.
    """
    name = f"{SSM_PREFIX}/stand-in/{architecture}"
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        pass
    image = ec2.register_image(
        Name=f"prism-sandbox-stand-in-{architecture}",
        Description="Simulates an image the sandbox has no copy of (prism sandbox)",
        Architecture=architecture,
        RootDeviceName="/dev/sda1",
        VirtualizationType="hvm",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
    )
    ssm.put_parameter(Name=name, Value=image["ImageId"], Type="String", Overwrite=True)
    return str(image["ImageId"])


def _image(base: str, architecture: str) -> dict[str, Any]:
    """One simulated image in moto's MOTO_AMIS_PATH form, its id the same in every region."""
    digest = hashlib.sha256(f"{base}/{architecture}".encode()).hexdigest()[:17]
    return {
        "ami_id": f"ami-{digest}",
        "name": f"prism-sandbox-{base}-{architecture}",
        "description": f"Simulated {base} image for {architecture} (prism sandbox)",
        "architecture": architecture,
        "virtualization_type": "hvm",
        "root_device_type": "ebs",
        "root_device_name": "/dev/sda1",
        "image_type": "machine",
        "state": "available",
        "public": False,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
