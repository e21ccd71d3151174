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
    """How to find one base OS: the vendor's SSM paths by architecture, and the vendor's owner
    id with the name its images are published under (``{arch}`` in the vendor's spelling).
    """

    name: str
    ssm: dict[str, str]
    owner: str
    pattern: str
    arch_names: dict[str, str]
    publisher: str
    login_user: str = "ubuntu"

    def name_pattern(self, architecture: str) -> str:
        return self.pattern.format(arch=self.arch_names.get(architecture, architecture))


CANONICAL = "099720109477"
AMAZON = "137112412989"
DEBIAN = "136693071363"
ROCKY = "792107900819"
REDHAT = "309956199498"
_DEB_ARCH = {"x86_64": "amd64", "arm64": "arm64"}
_RPM_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
_AWS_ARCH = {"x86_64": "x86_64", "arm64": "arm64"}


def _ubuntu(version: str, codename: str, volume: str) -> BaseImage:
    root = f"/aws/service/canonical/ubuntu/server/{version}/stable/current"
    return BaseImage(
        f"ubuntu-{version}",
        {
            "x86_64": f"{root}/amd64/hvm/{volume}/ami-id",
            "arm64": f"{root}/arm64/hvm/{volume}/ami-id",
        },
        CANONICAL,
        f"ubuntu/images/hvm-ssd*/ubuntu-{codename}-{version}-{{arch}}-server-*",
        _DEB_ARCH,
        "Canonical",
    )


def _debian(version: str) -> BaseImage:
    return BaseImage(
        f"debian-{version}",
        {
            "x86_64": f"/aws/service/debian/release/{version}/latest/amd64",
            "arm64": f"/aws/service/debian/release/{version}/latest/arm64",
        },
        DEBIAN,
        f"debian-{version}-{{arch}}-*",
        _DEB_ARCH,
        "Debian",
        login_user="admin",
    )


def _rocky(version: str) -> BaseImage:
    return BaseImage(
        f"rocky-{version}",
        {},
        ROCKY,
        f"Rocky-{version}-EC2-Base-{version}.*.{{arch}}",
        _RPM_ARCH,
        "Rocky Enterprise Software Foundation",
        login_user="rocky",
    )


BASES: dict[str, BaseImage] = {
    b.name: b
    for b in (
        _ubuntu("20.04", "focal", "ebs-gp2"),
        _ubuntu("22.04", "jammy", "ebs-gp2"),
        _ubuntu("24.04", "noble", "ebs-gp3"),
        BaseImage(
            "amazonlinux-2023",
            {
                "x86_64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                "arm64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
            },
            AMAZON,
            "al2023-ami-2023.*-kernel-*-{arch}",
            _AWS_ARCH,
            "Amazon",
            login_user="ec2-user",
        ),
        BaseImage(
            "amazon-linux-2",
            {
                "x86_64": "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
                "arm64": "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
            },
            AMAZON,
            "amzn2-ami-hvm-2.0.*-{arch}-gp2",
            _AWS_ARCH,
            "Amazon",
            login_user="ec2-user",
        ),
        _debian("11"),
        _debian("12"),
        _rocky("8"),
        _rocky("9"),
        BaseImage(
            "rhel-9",
            {},
            REDHAT,
            "RHEL-9.*_HVM-*-{arch}-*",
            _RPM_ARCH,
            "Red Hat",
            login_user="ec2-user",
        ),
    )
}

_ALIASES = {
    "ubuntu-22.04-server-lts": "ubuntu-22.04",
    "ubuntu-20.04-server-lts": "ubuntu-20.04",
    "ubuntu-24.04-server-lts": "ubuntu-24.04",
    "ubuntu-22.04-server": "ubuntu-22.04",
    "ubuntu-24.04-server": "ubuntu-24.04",
    "rockylinux-9": "rocky-9",
    "rocky-linux-9": "rocky-9",
    "rocky9": "rocky-9",
    "rockylinux-8": "rocky-8",
    "rocky-linux-8": "rocky-8",
    "amazonlinux-2": "amazon-linux-2",
    "amazon-linux-2023": "amazonlinux-2023",
    "al2023": "amazonlinux-2023",
    "al2": "amazon-linux-2",
    "debian12": "debian-12",
    "debian11": "debian-11",
    "rhel9": "rhel-9",
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
        if spec is None:
            raise ToolError(
                "PRISM_BASE_UNKNOWN",
                f"prism does not know where the images of base {name!r} are published.",
                suggestions=[
                    f"Use one of the bases it knows: {', '.join(sorted(BASES))}.",
                    "Or give the template images of its own under ami_config.amis, or publish"
                    " approved images in SSM (prism profiles add NAME --image-parameter-prefix"
                    " /path).",
                ],
                context={"base": name},
                exit_code=ExitCode.NOT_FOUND,
            )
        if self.ssm_prefix is not None:
            path: str | None = f"{self.ssm_prefix}/{name}/{architecture}"
        else:
            path = spec.ssm.get(architecture)
        if path:
            try:
                return str(self.ssm.get_parameter(Name=path)["Parameter"]["Value"])
            except self.ssm.exceptions.ParameterNotFound:
                pass
        pattern = spec.name_pattern(architecture)
        images = self.ec2.describe_images(
            Owners=[spec.owner],
            Filters=[
                {"Name": "name", "Values": [pattern]},
                {"Name": "architecture", "Values": [architecture]},
                {"Name": "state", "Values": ["available"]},
            ],
        )["Images"]
        if images:
            newest = max(images, key=lambda i: i.get("CreationDate", ""))
            return str(newest["ImageId"])
        tried = f"SSM parameter {path} was not there, and n" if path else "N"
        raise ToolError(
            "PRISM_IMAGE_NOT_FOUND",
            f"No machine image found for {name} on {architecture} in this region: {tried}o image"
            f" named {pattern} is published by {spec.publisher} (owner {spec.owner}).",
            suggestions=[
                "Pick an instance type of the other architecture (--size on another family),"
                " or another region.",
                "If your organisation publishes approved images, point prism at them:"
                " prism profiles add NAME --image-parameter-prefix /path (<prefix>/<base>/<arch>).",
                "Or give the template images of its own under ami_config.amis.",
            ],
            context={
                "base": name,
                "architecture": architecture,
                "ssm_parameter": path,
                "owner": spec.owner,
                "name_pattern": pattern,
            },
            exit_code=ExitCode.NOT_FOUND,
        )

    def _cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
