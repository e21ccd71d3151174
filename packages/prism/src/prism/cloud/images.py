"""Finding the machine image for a template's base OS and an instance's architecture.

On AWS: the vendor's public SSM parameter when it publishes one (always the latest patched
image), else DescribeImages by owner and name pattern, newest first. Results are cached on disk
for 30 minutes, since images change weekly and the lookup costs a round trip or two per launch.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groundwork.errors import ExitCode, ToolError
from groundwork.state import atomic_write_json

__all__ = ["BASES", "BaseImage", "ImageFinder", "canonical_base"]

CACHE_TTL_SECONDS = 30 * 60


@dataclass(frozen=True)
class BaseImage:
    """How to find one base OS: SSM paths by architecture, or an owner and a name pattern."""

    name: str
    ssm: dict[str, str]
    owner: str | None = None
    pattern: str | None = None
    login_user: str = "ubuntu"


def _canonical(version: str, volume: str) -> dict[str, str]:
    root = f"/aws/service/canonical/ubuntu/server/{version}/stable/current"
    return {
        "x86_64": f"{root}/amd64/hvm/{volume}/ami-id",
        "arm64": f"{root}/arm64/hvm/{volume}/ami-id",
    }


BASES: dict[str, BaseImage] = {
    b.name: b
    for b in (
        BaseImage("ubuntu-20.04", _canonical("20.04", "ebs-gp2")),
        BaseImage("ubuntu-22.04", _canonical("22.04", "ebs-gp2")),
        BaseImage("ubuntu-24.04", _canonical("24.04", "ebs-gp3")),
        BaseImage(
            "amazonlinux-2023",
            {
                "x86_64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                "arm64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
            },
            login_user="ec2-user",
        ),
        BaseImage(
            "amazon-linux-2",
            {
                "x86_64": "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
                "arm64": "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
            },
            login_user="ec2-user",
        ),
        BaseImage(
            "debian-12",
            {
                "x86_64": "/aws/service/debian/release/12/latest/amd64",
                "arm64": "/aws/service/debian/release/12/latest/arm64",
            },
            login_user="admin",
        ),
        BaseImage(
            "rocky-9",
            {},
            owner="792107900819",
            pattern="Rocky-9-EC2-Base-9.*",
            login_user="rocky",
        ),
    )
}

_ALIASES = {
    "ubuntu-22.04-server-lts": "ubuntu-22.04",
    "ubuntu-20.04-server-lts": "ubuntu-20.04",
    "ubuntu-24.04-server-lts": "ubuntu-24.04",
    "rockylinux-9": "rocky-9",
    "rocky-linux-9": "rocky-9",
    "amazonlinux-2": "amazon-linux-2",
    "al2023": "amazonlinux-2023",
}


def canonical_base(base: str) -> str:
    key = base.strip().lower()
    return _ALIASES.get(key, key)


class ImageFinder:
    """Looks images up through SSM, then EC2; ``ssm_prefix`` replaces the vendors' paths (the
    sandbox serves its own images under ``/prism/sandbox/ami``).
    """

    def __init__(
        self, ec2: Any, ssm: Any, cache_file: Path, *, ssm_prefix: str | None = None
    ) -> None:
        self.ec2 = ec2
        self.ssm = ssm
        self.cache_file = cache_file
        self.ssm_prefix = ssm_prefix

    def find(self, base: str, architecture: str, region: str) -> str:
        name = canonical_base(base)
        key = f"{region}/{name}/{architecture}"
        cached = self._cache().get(key)
        if cached and cached["at"] > time.time() - CACHE_TTL_SECONDS:
            return str(cached["image"])
        image = self._lookup(name, architecture)
        cache = self._cache()
        cache[key] = {"image": image, "at": time.time()}
        atomic_write_json(self.cache_file, cache)
        return image

    def _lookup(self, name: str, architecture: str) -> str:
        spec = BASES.get(name)
        if self.ssm_prefix is not None:
            path: str | None = f"{self.ssm_prefix}/{name}/{architecture}"
        else:
            path = spec.ssm.get(architecture) if spec else None
        if path:
            try:
                value = self.ssm.get_parameter(Name=path)["Parameter"]["Value"]
                return str(value)
            except self.ssm.exceptions.ParameterNotFound:
                pass
        if spec is not None and spec.pattern:
            images = self.ec2.describe_images(
                Owners=[spec.owner] if spec.owner else [],
                Filters=[
                    {"Name": "name", "Values": [spec.pattern]},
                    {"Name": "architecture", "Values": [architecture]},
                    {"Name": "state", "Values": ["available"]},
                ],
            )["Images"]
            if images:
                newest = max(images, key=lambda i: i.get("CreationDate", ""))
                return str(newest["ImageId"])
        raise ToolError(
            "PRISM_IMAGE_NOT_FOUND",
            f"No machine image found for base {name!r} on {architecture}.",
            suggestions=[
                f"Known bases: {', '.join(sorted(BASES))}.",
                "Pick an instance type of the other architecture, or set ami_config in the"
                " template to an image id of your own.",
            ],
            context={"base": name, "architecture": architecture},
            exit_code=ExitCode.NOT_FOUND,
        )

    def _cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
