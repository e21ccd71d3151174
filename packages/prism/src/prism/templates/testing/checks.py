"""The scripts a template test runs inside the container, written from the template, and how
their answers are read back.

Each check prints ``PRISM-CHECK|kind|name|yes-or-no|detail``: the packages the template declares
(installed, per dpkg), its users and their groups, its units (enabled, or disabled when the
template says ``enable: false``), that post_install ran, and after a boot with systemd, that the
enabled units are active.

Containers: Docker's package and each container's unit (enabled, running ``docker run`` with the
template's image) are checked after the setup; their units are left out of the boot checks,
since Docker's daemon cannot run inside systemd-nspawn (no cgroup delegation, no iptables), so
whether the image starts is not tested here.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from prism.templates.connection import access_for
from prism.templates.containers import unit_name
from prism.templates.desktop import desktop_units
from prism.templates.model import Template
from prism.templates.services import is_distribution_service
from prism.templates.testing.results import TestCheck

__all__ = [
    "BOOT_RESULTS",
    "boot_check_script",
    "boot_unit",
    "expected_ports",
    "expected_units",
    "parse_checks",
    "snapshot_script",
    "state_checks_script",
]

BOOT_RESULTS = "/root/prism-boot-checks.txt"
_PREFIX = "PRISM-CHECK|"
_HEADER = """#!/bin/bash
check() { printf 'PRISM-CHECK|%s|%s|%s|%s\\n' "$1" "$2" "$3" "$4"; }
"""


def expected_units(template: Template) -> dict[str, bool]:
    """Every unit the setup script should leave behind, and whether it should be enabled."""
    units: dict[str, bool] = {}
    for service in template.services:
        name = service.name if is_distribution_service(service) else f"prism-{service.name}"
        units[name] = service.enable
    access = access_for(template)
    if access.desktop:
        user = template.users[0].name if template.users else "desktop"
        for unit in desktop_units(access.desktop, user):
            units[unit] = True
        if access.desktop == "dcv":
            units["dcvserver"] = True
    for container in template.containers:
        units[unit_name(container)] = True
    return units


def expected_ports(template: Template) -> dict[str, int]:
    """Ports that should answer on the workstation once it has booted, by what serves them."""
    ports = {s.name: s.port for s in template.services if s.port and s.enable}
    access = access_for(template)
    if access.desktop_port:
        ports["desktop"] = access.desktop_port
    return ports


def state_checks_script(template: Template) -> str:
    lines = [_HEADER]
    for package in template.packages.system:
        name = shlex.quote(package.split("=")[0])
        lines.append(
            f"s=$(dpkg-query -W -f='${{Status}} ${{Version}}' {name} 2>/dev/null || true)\n"
            f'case "$s" in "install ok installed "*) check package {name} yes "${{s##* }}";;'
            f' *) check package {name} no "not installed";; esac'
        )
    for user in template.users:
        name = shlex.quote(user.name)
        lines.append(
            f'if id -u {name} >/dev/null 2>&1; then check user {name} yes "uid $(id -u {name})";'
            f' else check user {name} no "no such user"; fi'
        )
        for group in user.groups:
            g = shlex.quote(group)
            lines.append(
                f"if id -nG {name} 2>/dev/null | tr ' ' '\\n' | grep -qx {g};"
                f' then check group {shlex.quote(f"{user.name}:{group}")} yes "";'
                f' else check group {shlex.quote(f"{user.name}:{group}")} no "not a member"; fi'
            )
    for unit, enabled in expected_units(template).items():
        u = shlex.quote(unit)
        want = "enabled" if enabled else "disabled"
        lines.append(
            f"e=$(systemctl is-enabled {u}.service 2>&1 || true)\n"
            f'if [ "$e" = {want} ]; then check unit-enabled {u} yes {want};'
            f' else check unit-enabled {u} no "$e (wanted {want})"; fi'
        )
    lines += _container_checks(template)
    if template.post_install:
        lines.append(
            "if [ -e /var/lib/prism/setup/post_install.done ] &&"
            " grep -q STAGE:post_install:COMPLETE /var/log/prism-setup.log;"
            ' then check post_install post_install yes "ran to the end";'
            ' else check post_install post_install no "did not complete"; fi'
        )
    return "\n".join(lines) + "\n"


def _container_checks(template: Template) -> list[str]:
    if not template.containers:
        return []
    lines = [
        'if command -v docker >/dev/null 2>&1; then check docker docker yes "$(docker --version)";'
        ' else check docker docker no "not installed"; fi',
        "e=$(systemctl is-enabled docker.service 2>&1 || true)\n"
        'if [ "$e" = enabled ]; then check unit-enabled docker yes enabled;'
        ' else check unit-enabled docker no "$e (wanted enabled)"; fi',
    ]
    for container in template.containers:
        unit = f"/etc/systemd/system/{unit_name(container)}.service"
        want = shlex.quote(f"--name {container.name} ")
        image = shlex.quote(f" {container.image}")
        name = shlex.quote(container.name)
        lines.append(
            f"if grep -q '^ExecStart=/usr/bin/docker run --rm ' {unit} && grep -qF -- {want} {unit}"
            f" && grep -qF -- {image} {unit}; then check container {name} yes {shlex.quote(unit)};"
            f' else check container {name} no "no unit running the image"; fi'
        )
    return lines


def boot_check_script(template: Template, wait_seconds: int = 90) -> str:
    """Run at boot: waits for each enabled unit to be active (or to fail), then records it."""
    lines = [_HEADER, f": > {BOOT_RESULTS}"]
    containers = {unit_name(c) for c in template.containers}
    for unit, enabled in expected_units(template).items():
        if not enabled or unit in containers:
            continue
        u = shlex.quote(unit)
        lines.append(
            f"for _ in $(seq {wait_seconds}); do"
            f" s=$(systemctl is-active {u}.service || true);"
            ' [ "$s" = active ] || [ "$s" = failed ] && break; sleep 1; done\n'
            f'if [ "$s" = active ]; then check unit-active {u} yes active >> {BOOT_RESULTS};'
            f' else check unit-active {u} no "$s" >> {BOOT_RESULTS}; fi'
        )
    for name, port in expected_ports(template).items():
        what = shlex.quote(f"{name}:{port}")
        lines.append(
            f"open=no; for _ in $(seq {wait_seconds}); do"
            f" if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then open=yes; break; fi;"
            " sleep 1; done\n"
            f'if [ "$open" = yes ]; then check port-open {what} yes "answers on loopback"'
            f" >> {BOOT_RESULTS};"
            f' else check port-open {what} no "nothing listens" >> {BOOT_RESULTS}; fi'
        )
    return "\n".join(lines) + "\n"


def boot_unit() -> str:
    return "\n".join(
        [
            "[Unit]",
            "Description=prism template test: are the services up?",
            "After=multi-user.target",
            "",
            "[Service]",
            "Type=oneshot",
            "ExecStart=/bin/bash /root/prism-boot-check.sh",
            "ExecStopPost=/bin/systemctl poweroff --no-block",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


def snapshot_script(target: str) -> str:
    """What a second run of the setup must not change: packages, users, groups, units, and
    every file of /etc and of prism's state (the container's own identity files aside).
    """
    return (
        "{ dpkg-query -W -f='${Package} ${Version} ${Status}\\n' | sort;"
        " cat /etc/passwd /etc/group;"
        " find /etc/systemd/system -printf '%p -> %l\\n' | sort;"
        " find /etc /var/lib/prism -type f ! -name '*.done' ! -path /etc/ld.so.cache"
        " ! -path /etc/resolv.conf ! -path /etc/hostname ! -path /etc/machine-id"
        " -exec sha256sum {} + 2>/dev/null | sort; } > " + target
    )


def parse_checks(text: str) -> list[TestCheck]:
    checks = []
    for line in text.splitlines():
        if not line.startswith(_PREFIX):
            continue
        parts = line[len(_PREFIX) :].split("|", 3)
        if len(parts) == 4:
            kind, name, ok, detail = parts
            checks.append(TestCheck(kind=kind, name=name, ok=ok == "yes", detail=detail))
    return checks


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
