"""The setup script's data_buckets stage: rendered for a workstation of a project with buckets,
checked by shellcheck, and run by bash with stand-ins for the machine's tools (uname, curl, the
package manager, systemctl) and its folders moved under tmp: Mountpoint's package for the
machine's architecture and package manager, one systemd unit per bucket, installed once.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from prism.data.buckets import DataBucket, checked_location
from prism.data.mounts import bucket_mount_lines, live_mount_lines, unmount_lines
from prism.templates.loader import load_text
from prism.templates.userdata import render_user_data

RELEASE = "https://s3.amazonaws.com/mountpoint-s3-release/latest"


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


BUCKETS = [
    bucket("genomes", "s3://lab-data/sets/2026", read_only=True),
    bucket("scratch", "s3://lab-scratch", read_only=False),
]


def script_for(base: str) -> str:
    template = load_text(f"name: T\nbase: {base}\n", "t.yml").template
    stage = ("data_buckets", tuple(bucket_mount_lines(BUCKETS)))
    return render_user_data(template, extra_stages=[stage])


def test_the_script_mounts_each_bucket_as_a_unit_and_passes_shellcheck(
    tmp_path: Path, system_tool: Any
) -> None:
    script = script_for("ubuntu-24.04")
    unit = script.split("cat > /etc/systemd/system/prism-data-genomes.service <<'PRISM_UNIT'\n")[1]
    unit = unit.split("PRISM_UNIT\n")[0]
    assert unit.splitlines() == [
        "[Unit]",
        "Description=prism data bucket genomes (s3://lab-data/sets/2026/, read-only)",
        "Wants=network-online.target",
        "After=network-online.target",
        "AssertPathIsDirectory=/data/genomes",
        "",
        "[Service]",
        "Type=forking",
        "ExecStart=/usr/bin/mount-s3 --allow-other --region eu-west-1 --prefix sets/2026/"
        " --read-only lab-data /data/genomes",
        "ExecStop=/usr/bin/umount /data/genomes",
        "Restart=on-failure",
        "RestartSec=15",
        "",
        "[Install]",
        "WantedBy=remote-fs.target",
    ]
    assert (
        "ExecStart=/usr/bin/mount-s3 --allow-other --region eu-west-1 --allow-overwrite"
        " --allow-delete --dir-mode 0777 --file-mode 0666 lab-scratch /data/scratch"
    ) in script
    assert "prism_enable prism-data-scratch" in script
    saved = tmp_path / "setup.sh"
    saved.write_text(script)
    subprocess.run(["bash", "-n", str(saved)], check=True)
    shellcheck = system_tool("shellcheck", package="shellcheck")
    subprocess.run([shellcheck, "--severity=warning", str(saved)], check=True)


def _stand_ins(folder: Path, machine: str, manager: str) -> Path:
    """Tools that log their arguments to calls.log (curl writes the file it was asked for),
    beside the host's few the script needs: only the stand-in package manager is on PATH.
    """
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "cat", "chmod", "date", "mkdir", "rm", "rmdir", "touch"):
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    log = folder / "calls.log"
    tools = {
        "uname": f'echo "{machine}"',
        "curl": 'while [ $# -gt 1 ]; do [ "$1" = -o ] && : > "$2"; shift; done',
        manager: "",
        "systemctl": "",
    }
    for name, body in tools.items():
        path = bin_dir / name
        path.write_text(f'#!/bin/bash\necho "{name} $*" >> "{log}"\n{body}\n')
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def _run(script: str, folder: Path, bin_dir: Path) -> str:
    moved = (
        script.replace("exec > >(tee -a /var/log/prism-setup.log) 2>&1", "")
        .replace("/var/lib/prism", str(folder / "state"))
        .replace("/etc/systemd/system", str(folder / "units"))
        .replace("/tmp/mount-s3", str(folder / "mount-s3"))
        .replace("mkdir -p /data/", f"mkdir -p {folder}/data/")
    )
    (folder / "units").mkdir(exist_ok=True)
    path = folder / "setup.sh"
    path.write_text(moved)
    env = {"PATH": str(bin_dir), "HOME": str(folder)}
    done = subprocess.run(
        [str(bin_dir / "bash"), str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    log = folder / "calls.log"
    return log.read_text() if log.exists() else ""


@pytest.mark.parametrize(
    ("base", "machine", "manager", "package"),
    [
        ("ubuntu-24.04", "x86_64", "apt-get", "x86_64/mount-s3.deb"),
        ("ubuntu-24.04", "aarch64", "apt-get", "arm64/mount-s3.deb"),
        ("rocky-9", "aarch64", "dnf", "arm64/mount-s3.rpm"),
        ("amazon-linux-2023", "x86_64", "dnf", "x86_64/mount-s3.rpm"),
    ],
)
def test_the_stage_installs_mountpoint_for_the_machine_and_enables_each_unit(
    tmp_path: Path, base: str, machine: str, manager: str, package: str
) -> None:
    bin_dir = _stand_ins(tmp_path, machine, manager)
    calls = _run(script_for(base), tmp_path, bin_dir).splitlines()
    extension = package.rsplit(".", 1)[1]
    assert f"curl -fsSL -o {tmp_path}/mount-s3.{extension} {RELEASE}/{package}" in calls
    installed = f"{tmp_path}/mount-s3.{extension}"
    assert any(c.startswith(manager) and c.endswith(f"install -y {installed}") for c in calls)
    assert [c for c in calls if c.startswith("systemctl enable")] == [
        "systemctl enable prism-data-genomes",
        "systemctl enable prism-data-scratch",
    ]
    units = sorted(p.name for p in (tmp_path / "units").iterdir())
    assert units == ["prism-data-genomes.service", "prism-data-scratch.service"]
    assert (tmp_path / "data" / "genomes").is_dir() and (tmp_path / "data" / "scratch").is_dir()
    assert not (tmp_path / f"mount-s3.{extension}").exists()  # the package file is cleaned up


def test_mountpoint_already_there_is_not_installed_again(tmp_path: Path) -> None:
    bin_dir = _stand_ins(tmp_path, "x86_64", "apt-get")
    mount_s3 = bin_dir / "mount-s3"
    mount_s3.write_text("#!/bin/bash\n")
    mount_s3.chmod(0o755)
    calls = _run(script_for("ubuntu-24.04"), tmp_path, bin_dir)
    assert "curl" not in calls and "apt-get" not in calls
    assert "systemctl enable prism-data-genomes" in calls
    assert os.access(tmp_path / "units" / "prism-data-genomes.service", os.R_OK)


def test_on_a_running_workstation_sh_mounts_then_unmounts_keeping_the_data(
    tmp_path: Path, system_tool: Any
) -> None:
    """SSM's AWS-RunShellScript runs sh: the lines sent to a running workstation are POSIX."""
    bin_dir = _stand_ins(tmp_path, "x86_64", "apt-get")
    sh = shutil.which("dash") or shutil.which("sh")
    assert sh is not None
    (bin_dir / "sh").symlink_to(sh)
    shellcheck = system_tool("shellcheck", package="shellcheck")
    for lines in (live_mount_lines(BUCKETS), unmount_lines(BUCKETS[0])):
        script = tmp_path / "sent.sh"
        script.write_text("\n".join(["#!/bin/sh", "set -e", *lines]) + "\n")
        subprocess.run([shellcheck, "--shell=sh", "--severity=warning", str(script)], check=True)
        moved = (
            script.read_text()
            .replace("/etc/systemd/system", str(tmp_path / "units"))
            .replace("/tmp/mount-s3", str(tmp_path / "mount-s3"))
            .replace("/data/", f"{tmp_path}/data/")
        )
        script.write_text(moved)
        (tmp_path / "units").mkdir(exist_ok=True)
        env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
        done = subprocess.run([sh, str(script)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert "systemctl enable prism-data-genomes" in calls
    assert calls[-2:] == ["systemctl disable --now prism-data-genomes", "systemctl daemon-reload"]
    units = sorted(p.name for p in (tmp_path / "units").iterdir())
    assert units == ["prism-data-scratch.service"]
    assert not (tmp_path / "data" / "genomes").exists()
    assert (tmp_path / "data" / "scratch").is_dir()
