"""The setup script a workstation runs at first boot, generated from a resolved template.

Each stage prints ``STAGE:name:START`` / ``STAGE:name:COMPLETE`` markers (what launch progress
reads) and leaves a marker file when done, so a re-run (a reboot mid-setup, a manual retry) skips
finished stages; each stage is also safe to run again on its own (``prism templates test``
checks that it changes nothing the second time). Every value from the template is shell-quoted.
Units are enabled, and started when systemd runs the machine (not in a chroot or image build).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from groundwork.errors import ExitCode, ToolError
from prism.idle.agent import AgentSetup, config_lines, stage_lines
from prism.templates.connection import access_for
from prism.templates.containers import container_stage_lines
from prism.templates.desktop import DESKTOP_USER, desktop_lines
from prism.templates.model import Template, User
from prism.templates.scriptparts import install_lines, quote_all
from prism.templates.services import (
    distribution_service_lines,
    is_distribution_service,
    service_lines,
)

__all__ = ["USER_DATA_LIMIT", "Mount", "os_family", "render_user_data"]

USER_DATA_LIMIT = 16 * 1024
"""AWS's limit on UserData, counted on the raw script before base64."""

_DNF_BASES = ("rocky", "amazon", "al2", "centos", "rhel", "fedora", "alma")
_APT_BASES = ("ubuntu", "debian")
_HEADER = """#!/bin/bash
# prism workstation setup for {name} ({slug}); generated, safe to run again.
set -euo pipefail
exec > >(tee -a /var/log/prism-setup.log) 2>&1
PRISM_STATE=/var/lib/prism/setup
mkdir -p "$PRISM_STATE"

run_stage() {{
  local name=$1
  shift
  if [ -e "$PRISM_STATE/$name.done" ]; then
    echo "STAGE:$name:SKIP"
    return 0
  fi
  echo "STAGE:$name:START $(date -Is)"
  "$@"
  touch "$PRISM_STATE/$name.done"
  echo "STAGE:$name:COMPLETE $(date -Is)"
}}

systemd_running() {{
  [ -d /run/systemd/system ]
}}

prism_enable() {{
  systemctl enable "$1"
  if systemd_running; then systemctl restart "$1"; fi
}}

prism_disable() {{
  systemctl disable "$1"
  if systemd_running; then systemctl stop "$1"; fi
}}
"""


@dataclass(frozen=True)
class Mount:
    """An EFS volume to mount at first boot."""

    file_system_id: str
    region: str
    mount_point: str


def os_family(base: str | None) -> str:
    """apt, dnf, or auto when the base does not say (an image of the template's own)."""
    lowered = (base or "").lower()
    if any(lowered.startswith(b) for b in _DNF_BASES):
        return "dnf"
    if not lowered or any(lowered.startswith(b) for b in _APT_BASES):
        return "apt"
    return "auto"


def _function(name: str, lines: Sequence[str]) -> str:
    """Bodies are not indented: heredocs inside them must start at column 0."""
    body = "\n".join(lines)
    return f"{name}() {{\n{body}\n}}\n"


def _conda_install() -> list[str]:
    return [
        "if [ ! -x /opt/conda/bin/conda ]; then",
        "  curl -fsSL -o /tmp/miniforge.sh"
        ' "https://github.com/conda-forge/miniforge/releases/latest/download/'
        'Miniforge3-Linux-$(uname -m).sh"',
        "  bash /tmp/miniforge.sh -b -p /opt/conda",
        "  rm -f /tmp/miniforge.sh",
        "fi",
        "ln -sf /opt/conda/etc/profile.d/conda.sh /etc/profile.d/conda.sh",
    ]


def _user_lines(user: User, family: str) -> list[str]:
    name = shlex.quote(user.name)
    lines = [f"id -u {name} >/dev/null 2>&1 || useradd -m -s {shlex.quote(user.shell)} {name}"]
    for group in user.groups:
        group = "wheel" if group == "sudo" and family == "dnf" else group
        g = shlex.quote(group)
        lines.append(f"getent group {g} >/dev/null || groupadd {g}")
        lines.append(f"usermod -aG {g} {name}")
    if user.password is not None:
        # As the template asks; `prism templates validate` and the launch warn about it.
        lines.append(f"echo {shlex.quote(f'{user.name}:{user.password}')} | chpasswd")
    return lines


def _mount_lines(mounts: Sequence[Mount], family: str) -> list[str]:
    lines = install_lines(family, ["nfs-utils" if family == "dnf" else "nfs-common"])
    for mount in mounts:
        host = f"{mount.file_system_id}.efs.{mount.region}.amazonaws.com"
        point = shlex.quote(mount.mount_point)
        entry = shlex.quote(f"{host}:/ {mount.mount_point} nfs4 nfsvers=4.1,_netdev,nofail 0 0")
        lines += [
            f"mkdir -p {point}",
            f"grep -qsF {shlex.quote(host + ':/')} /etc/fstab || echo {entry} >> /etc/fstab",
            f"mountpoint -q {point} || mount {point}",
        ]
    return lines


def _script_stage(name: str, script: str) -> tuple[str, list[str]]:
    """A user's script, written to a file and run with bash."""
    path = f"/var/lib/prism/{name}.sh"
    delimiter = "PRISM_SCRIPT_END"
    lines = [f"cat > {path} <<'{delimiter}'", *script.rstrip("\n").splitlines(), delimiter]
    lines += [f"chmod 700 {path}", f"bash {path}"]
    return name, lines


def _package_stages(template: Template, family: str, manager: str) -> list[tuple[str, list[str]]]:
    stages: list[tuple[str, list[str]]] = []
    packages = template.packages
    if packages.system:
        stages.append(("system_packages", install_lines(family, packages.system)))
    if manager == "conda" or packages.conda:
        conda = _conda_install()
        if packages.conda:
            conda.append(
                f"/opt/conda/bin/conda install -y -c conda-forge {quote_all(packages.conda)}"
            )
        stages.append(("conda_packages", conda))
    if packages.spack:
        stages.append(
            (
                "spack_packages",
                [
                    "[ -d /opt/spack ] || git clone --depth=1"
                    " https://github.com/spack/spack.git /opt/spack",
                    f"/opt/spack/bin/spack install {quote_all(packages.spack)}",
                ],
            )
        )
    if packages.pip:
        pip = "/opt/conda/bin/pip" if manager == "conda" or packages.conda else "python3 -m pip"
        stages.append(("pip_packages", [f"{pip} install {quote_all(packages.pip)}"]))
    return stages


def render_user_data(
    template: Template,
    *,
    mounts: Sequence[Mount] = (),
    idle: AgentSetup | None = None,
    check_size: bool = True,
    extra_stages: Sequence[tuple[str, Sequence[str]]] = (),
) -> str:
    """The script; ``idle`` adds the idle agent (a stage) and its settings for the workstation;
    ``extra_stages`` run after the mounts (a project's shared space, research users).
    """
    family = os_family(template.base)
    manager = template.package_manager or ("dnf" if family == "dnf" else "apt")
    stages = _package_stages(template, family, manager)
    if template.users:
        lines = [line for user in template.users for line in _user_lines(user, family)]
        stages.append(("users", lines))
    run_as = template.users[0].name if template.users else "root"
    conda = manager == "conda" or bool(template.packages.conda)
    own = [s for s in template.services if not is_distribution_service(s)]
    if own:
        lines = [line for s in own for line in service_lines(s, run_as, conda=conda)]
        stages.append(("services", lines))
    access = access_for(template)
    if access.desktop:
        user = template.users[0].name if template.users else DESKTOP_USER
        lines = desktop_lines(access.desktop, family, user, user_declared=bool(template.users))
        stages.append(("desktop", lines))
    if mounts:
        stages.append(("mounts", _mount_lines(mounts, family)))
    stages += [(name, list(lines)) for name, lines in extra_stages]
    if template.ami_config and template.ami_config.user_data_script:
        stages.append(_script_stage("image_setup", template.ami_config.user_data_script))
    if template.post_install:
        stages.append(_script_stage("post_install", template.post_install))
    if template.user_data:
        stages.append(_script_stage("user_data", template.user_data))
    distributed = [s for s in template.services if is_distribution_service(s)]
    if distributed:
        lines = [line for s in distributed for line in distribution_service_lines(s)]
        stages.append(("system_services", lines))
    if template.containers:
        stages.append(("containers", container_stage_lines(template.containers, family)))
    if idle is not None:
        stages.append(("idle_agent", stage_lines(idle)))

    parts = [_HEADER.format(name=template.name.replace("\n", " "), slug=template.key)]
    parts += [_function(f"stage_{name}", lines) for name, lines in stages]
    if idle is not None:
        parts.append("\n".join(config_lines(idle)))
    parts.append("\n".join(f"run_stage {name} stage_{name}" for name, _ in stages))
    parts.append('echo "STAGE:complete:COMPLETE $(date -Is)"\n')
    script = "\n".join(parts)
    size = len(script.encode("utf-8"))
    if check_size and size > USER_DATA_LIMIT:
        raise ToolError(
            "PRISM_USERDATA_TOO_LARGE",
            f"The setup script for {template.name} is {size:,} bytes; AWS accepts at most"
            f" {USER_DATA_LIMIT:,} bytes of UserData.",
            suggestions=[
                "Move long post_install steps into a script the instance downloads (curl | bash).",
                "Or trim package lists that the base image already has.",
            ],
            context={"size_bytes": size, "limit_bytes": USER_DATA_LIMIT},
            exit_code=ExitCode.USAGE,
        )
    return script
