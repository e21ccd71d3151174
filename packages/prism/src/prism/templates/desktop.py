"""The remote desktop stage of a desktop template's setup script.

``dcv``: NICE DCV, the original's choice (free on EC2), from AWS's download site, with a virtual
session owned by the template's first user. ``desktop``: Xfce on a TigerVNC X server with the
noVNC web client, all from the distribution's own repositories (EPEL on dnf systems).

Both listen on the workstation's loopback without a password of their own: the way in is
``prism web NAME desktop``, an SSH tunnel that needs the workstation's key. The security group
also opens the port to the launching address, like web ports, for clients that connect directly
once the listen address is changed.
"""

from __future__ import annotations

import shlex

from prism.templates.connection import DESKTOP_PORTS, DesktopKind
from prism.templates.scriptparts import install_lines, unit_lines

__all__ = ["DESKTOP_USER", "desktop_lines", "desktop_packages", "desktop_units"]

DESKTOP_USER = "desktop"
"""The user a desktop runs as when the template declares none."""

_DCV_SITE = "https://d1uj6qtbmh3dt5.cloudfront.net"


def desktop_packages(kind: DesktopKind, family: str) -> list[str]:
    if kind == "vnc":
        if family == "dnf":
            return ["tigervnc-server", "novnc", "python3-websockify", "dbus-x11"]
        return [
            "xfce4",
            "xfce4-terminal",
            "dbus-x11",
            "tigervnc-standalone-server",
            "novnc",
            "websockify",
        ]
    return ["curl", "gnupg2" if family == "dnf" else "gnupg", "tar"]


def _unit(description: str, service: list[str], after: str = "network.target") -> list[str]:
    return [
        "[Unit]",
        f"Description={description}",
        f"After={after}",
        "",
        "[Service]",
        *service,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]


def desktop_units(kind: DesktopKind, user: str) -> dict[str, list[str]]:
    """The systemd units prism writes for the desktop, by unit name."""
    port = DESKTOP_PORTS[kind]
    if kind == "dcv":
        return {
            "prism-desktop-session": _unit(
                "prism desktop: a NICE DCV virtual session",
                [
                    "Type=oneshot",
                    "RemainAfterExit=yes",
                    "ExecStart=/bin/sh -c 'dcv list-sessions | grep -q prism"
                    f" || dcv create-session --type=virtual --owner {user} prism'",
                ],
                after="dcvserver.service",
            )
        }
    return {
        "prism-desktop-vnc": _unit(
            "prism desktop: an X server with VNC on loopback",
            [
                f"User={user}",
                'ExecStart=/bin/sh -c \'exec "$$(command -v Xtigervnc || command -v Xvnc)" :1'
                " -localhost -rfbport 5901 -SecurityTypes None -geometry 1600x900 -depth 24'",
                "Restart=on-failure",
            ],
        ),
        "prism-desktop-session": _unit(
            "prism desktop: the Xfce session",
            [
                f"User={user}",
                "Environment=DISPLAY=:1",
                "ExecStart=/usr/bin/dbus-launch --exit-with-session /usr/bin/startxfce4",
                "Restart=on-failure",
                "RestartSec=2",
            ],
            after="prism-desktop-vnc.service",
        ),
        "prism-desktop-web": _unit(
            f"prism desktop: noVNC on loopback port {port}",
            [
                f"ExecStart=/usr/bin/websockify --web /usr/share/novnc 127.0.0.1:{port}"
                " 127.0.0.1:5901",
                "Restart=on-failure",
            ],
            after="prism-desktop-vnc.service",
        ),
    }


def _dcv_install(family: str) -> list[str]:
    if family == "dnf":
        return [
            "dcv_arch=$(uname -m)",
            ". /etc/os-release",
            'dcv_os="el${VERSION_ID%%.*}"',
            "dnf groupinstall -y 'Server with GUI'",
            f"curl -fsSL -o /tmp/NICE-GPG-KEY {_DCV_SITE}/NICE-GPG-KEY",
            "rpm --import /tmp/NICE-GPG-KEY",
            f'curl -fsSL -o /tmp/nice-dcv.tgz "{_DCV_SITE}/nice-dcv-${{dcv_os}}-${{dcv_arch}}.tgz"',
            "mkdir -p /tmp/nice-dcv",
            "tar -xzf /tmp/nice-dcv.tgz -C /tmp/nice-dcv --strip-components=1",
            "dnf install -y /tmp/nice-dcv/nice-dcv-server-*.rpm /tmp/nice-dcv/nice-xdcv-*.rpm",
        ]
    return [
        "dcv_arch=$(uname -m)",
        ". /etc/os-release",
        'dcv_os="${ID}${VERSION_ID//./}"',
        "desktop_env=xfce4",
        'if [ "$ID" = ubuntu ]; then desktop_env=ubuntu-desktop-minimal; fi',
        'apt-get install -y --no-install-recommends "$desktop_env"',
        f"curl -fsSL -o /tmp/NICE-GPG-KEY {_DCV_SITE}/NICE-GPG-KEY",
        "gpg --import /tmp/NICE-GPG-KEY",
        f'curl -fsSL -o /tmp/nice-dcv.tgz "{_DCV_SITE}/nice-dcv-${{dcv_os}}-${{dcv_arch}}.tgz"',
        "mkdir -p /tmp/nice-dcv",
        "tar -xzf /tmp/nice-dcv.tgz -C /tmp/nice-dcv --strip-components=1",
        "apt-get install -y /tmp/nice-dcv/nice-dcv-server_*.deb /tmp/nice-dcv/nice-xdcv_*.deb",
    ]


def _dcv_config() -> list[str]:
    port = DESKTOP_PORTS["dcv"]
    return [
        "mkdir -p /etc/dcv",
        "cat > /etc/dcv/dcv.conf <<'PRISM_DCV'",
        "[license]",
        "[log]",
        "[session-management]",
        "create-session = false",
        "[connectivity]",
        f"web-port = {port}",
        f"web-listen-endpoints = ['127.0.0.1:{port}']",
        "[security]",
        'authentication = "none"',
        "PRISM_DCV",
        "prism_enable dcvserver",
    ]


def desktop_lines(kind: DesktopKind, family: str, user: str, user_declared: bool) -> list[str]:
    """The body of the desktop stage: packages, server, units, enabled and started."""
    lines: list[str] = []
    if not user_declared:
        name = shlex.quote(user)
        lines.append(f"id -u {name} >/dev/null 2>&1 || useradd -m -s /bin/bash {name}")
    if kind == "vnc" and family == "dnf":
        lines += ["dnf install -y epel-release", "dnf groupinstall -y Xfce"]
    lines += install_lines(family, desktop_packages(kind, family))
    if kind == "dcv":
        lines += _dcv_install(family) + _dcv_config()
    for unit, text in desktop_units(kind, user).items():
        lines += unit_lines(unit, text, enable=True)
    return lines
