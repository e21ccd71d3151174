"""A template's ``containers`` as setup-script lines: Docker from the distribution (Amazon Linux's
own package, Docker's repository on Rocky and other dnf systems, ``docker.io`` on Debian and
Ubuntu), then one systemd unit per container that runs it in the foreground and restarts it.

Published ports bind the workstation's loopback unless the template names an address: like
every web service here, a container is reached through ``prism web``'s SSH tunnel. Unit files
are world-readable, so ``env`` holds plain settings only; secrets go in ``env_file``, a file
that stays on the workstation (root's, mode 600) and is read by ``docker run --env-file``.
"""

from __future__ import annotations

import re
import shlex

from prism.templates.model import ContainerSpec
from prism.templates.scriptparts import unit_lines

__all__ = ["container_stage_lines", "container_unit", "publish_arg", "unit_name"]

DOCKER = "/usr/bin/docker"
_PLAIN = re.compile(r"^[A-Za-z0-9_./:=@+,-]+$")


def unit_name(container: ContainerSpec) -> str:
    return f"prism-container-{container.name}"


def publish_arg(port: str) -> str:
    """A ``-p`` value bound to loopback unless the template gave an address."""
    mapping, _, protocol = port.partition("/")
    parts = mapping.split(":")
    if len(parts) == 1:
        parts = [parts[0], parts[0]]
    if len(parts) == 2:
        parts = ["127.0.0.1", *parts]
    return ":".join(parts) + (f"/{protocol}" if protocol else "")


def _systemd_word(arg: str) -> str:
    """One word of an ExecStart line: systemd's quoting, with its % and $ expansions escaped."""
    escaped = arg.replace("%", "%%").replace("$", "$$")
    if _PLAIN.match(escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_args(container: ContainerSpec) -> list[str]:
    args = [DOCKER, "run", "--rm", "--name", container.name]
    for port in container.ports:
        args += ["-p", publish_arg(port)]
    for volume in container.volumes:
        args += ["-v", volume]
    for key, value in container.env.items():
        args += ["-e", f"{key}={value}"]
    if container.env_file:
        args += ["--env-file", container.env_file]
    return [*args, container.image]


def container_unit(container: ContainerSpec) -> list[str]:
    name = _systemd_word(container.name)
    return [
        "[Unit]",
        f"Description=prism container {container.name} ({container.image})",
        "After=docker.service network-online.target",
        "Wants=network-online.target",
        "Requires=docker.service",
        "",
        "[Service]",
        f"ExecStartPre=-{DOCKER} rm -f {name}",
        "ExecStart=" + " ".join(_systemd_word(a) for a in run_args(container)),
        f"ExecStop={DOCKER} stop {name}",
        "Restart=always",
        "RestartSec=5",
        "TimeoutStartSec=0",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]


def _docker_install(family: str) -> list[str]:
    apt = [
        "export DEBIAN_FRONTEND=noninteractive",
        "apt-get update -y",
        "apt-get install -y --no-install-recommends docker.io",
    ]
    dnf = [
        "if grep -qs '^ID=\"amzn\"' /etc/os-release; then",
        "  dnf install -y docker",
        "else",
        "  dnf install -y dnf-plugins-core",
        "  dnf config-manager --add-repo https://download.docker.com/linux/rhel/docker-ce.repo",
        "  dnf install -y docker-ce docker-ce-cli containerd.io",
        "fi",
    ]
    if family == "apt":
        chosen = apt
    elif family == "dnf":
        chosen = dnf
    else:
        chosen = ["if command -v dnf >/dev/null 2>&1; then", *dnf, "else", *apt, "fi"]
    return ["if ! command -v docker >/dev/null 2>&1; then", *chosen, "fi"]


def container_stage_lines(containers: list[ContainerSpec], family: str) -> list[str]:
    """Docker installed and enabled, then each container's unit written, enabled and started."""
    lines = [*_docker_install(family), "prism_enable docker"]
    for container in containers:
        if container.env_file:
            path = shlex.quote(container.env_file)
            lines.append(f"[ -e {path} ] || install -D -m 600 /dev/null {path}")
        lines += unit_lines(unit_name(container), container_unit(container), enable=True)
    return lines
