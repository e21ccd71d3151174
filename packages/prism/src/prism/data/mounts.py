"""The setup-script stage that mounts a project's data buckets: Mountpoint for Amazon S3
(mount-s3, AWS's own package for the machine's architecture and package manager) installed
once, then one systemd unit per bucket, so each mount comes back after a reboot.

Mountpoint reads the instance profile's credentials, so a workstation reaches exactly what the
project's policy grants (:mod:`prism.data.policy`).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from prism.data.buckets import DataBucket
from prism.templates.scriptparts import unit_lines

__all__ = [
    "MOUNTPOINT_RELEASE",
    "bucket_mount_lines",
    "live_mount_lines",
    "mount_command",
    "unit_name",
    "unmount_lines",
]

MOUNTPOINT_RELEASE = "https://s3.amazonaws.com/mountpoint-s3-release/latest"
"""Then /x86_64/ or /arm64/, then mount-s3.deb or mount-s3.rpm."""

# What the setup script's header defines, for a script sent to a running workstation (SSM's
# AWS-RunShellScript runs it with sh: POSIX only).
_HELPERS = [
    "systemd_running() { [ -d /run/systemd/system ]; }",
    "prism_enable() {",
    '  systemctl enable "$1"',
    '  if systemd_running; then systemctl restart "$1"; fi',
    "}",
]
_INSTALL = [
    "if ! command -v mount-s3 >/dev/null 2>&1; then",
    '  case "$(uname -m)" in',
    "  aarch64 | arm64) mountpoint_arch=arm64 ;;",
    "  *) mountpoint_arch=x86_64 ;;",
    "  esac",
    f'  mountpoint_url="{MOUNTPOINT_RELEASE}/$mountpoint_arch/mount-s3"',
    "  if command -v dnf >/dev/null 2>&1; then",
    '    curl -fsSL -o /tmp/mount-s3.rpm "$mountpoint_url.rpm"',
    "    dnf install -y /tmp/mount-s3.rpm",
    "  else",
    '    curl -fsSL -o /tmp/mount-s3.deb "$mountpoint_url.deb"',
    "    export DEBIAN_FRONTEND=noninteractive",
    "    apt-get update -y",
    "    apt-get install -y /tmp/mount-s3.deb",
    "  fi",
    "  rm -f /tmp/mount-s3.rpm /tmp/mount-s3.deb",
    "fi",
]


def unit_name(bucket: DataBucket) -> str:
    return f"prism-data-{bucket.name}"


def mount_command(bucket: DataBucket) -> list[str]:
    """mount-s3's arguments: read-only, or allowed to overwrite and delete (what read-write
    means to a researcher's tools). Every user of the workstation (its login user, the research
    users) reads it, and writes a read-write one: S3 knows only the instance's role, so modes
    can promise nothing finer.
    """
    args = ["/usr/bin/mount-s3", "--allow-other", "--region", bucket.region]
    if bucket.prefix:
        args += ["--prefix", bucket.prefix]
    if bucket.read_only:
        args.append("--read-only")
    else:
        args += ["--allow-overwrite", "--allow-delete", "--dir-mode", "0777", "--file-mode", "0666"]
    return [*args, bucket.bucket, bucket.mount_point]


def _unit(bucket: DataBucket) -> list[str]:
    where = f"s3://{bucket.bucket}/{bucket.prefix}"
    mode = "read-only" if bucket.read_only else "read-write"
    return [
        "[Unit]",
        f"Description=prism data bucket {bucket.name} ({where}, {mode})",
        "Wants=network-online.target",
        "After=network-online.target",
        f"AssertPathIsDirectory={bucket.mount_point}",
        "",
        "[Service]",
        "Type=forking",
        f"ExecStart={' '.join(mount_command(bucket))}",
        f"ExecStop=/usr/bin/umount {bucket.mount_point}",
        "Restart=on-failure",
        "RestartSec=15",
        "",
        "[Install]",
        "WantedBy=remote-fs.target",
    ]


def bucket_mount_lines(buckets: Sequence[DataBucket]) -> list[str]:
    lines = list(_INSTALL)
    for bucket in buckets:
        lines.append(f"mkdir -p {shlex.quote(bucket.mount_point)}")
        lines += unit_lines(unit_name(bucket), _unit(bucket), enable=True)
    return lines


def live_mount_lines(buckets: Sequence[DataBucket]) -> list[str]:
    """The same stage for a workstation already running (sent through SSM)."""
    return [*_HELPERS, *bucket_mount_lines(buckets)]


def unmount_lines(bucket: DataBucket) -> list[str]:
    """Its unit stopped and removed on a running workstation: unmounted, nothing deleted in S3."""
    unit = f"/etc/systemd/system/{unit_name(bucket)}.service"
    return [
        f"if [ -f {unit} ]; then",
        f"  systemctl disable --now {unit_name(bucket)} || true",
        f"  rm -f {unit}",
        "  systemctl daemon-reload",
        "fi",
        f"rmdir {shlex.quote(bucket.mount_point)} 2>/dev/null || true",
    ]
