"""Pieces of setup scripts shared by the stages that write them: installing packages with the
system's package manager, and writing a systemd unit that is enabled (and started when systemd
runs the machine; the script's ``prism_enable`` helper decides).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

__all__ = ["install_lines", "quote_all", "unit_lines"]


def quote_all(values: Sequence[str]) -> str:
    return " ".join(shlex.quote(v) for v in values)


def install_lines(family: str, packages: Sequence[str]) -> list[str]:
    """apt, dnf, or (family ``auto``: an image of the template's own) whichever it has.

    apt retries its downloads: a mirror that drops one connection must not fail a launch (dnf
    retries by default).
    """
    apt = [
        "export DEBIAN_FRONTEND=noninteractive",
        "apt-get -o Acquire::Retries=5 update -y",
        f"apt-get -o Acquire::Retries=5 install -y --no-install-recommends {quote_all(packages)}",
    ]
    dnf = [f"dnf install -y {quote_all(packages)}"]
    if family == "dnf":
        return dnf
    if family == "apt":
        return apt
    return ["if command -v dnf >/dev/null 2>&1; then", *dnf, "else", *apt, "fi"]


def unit_lines(unit: str, text: Sequence[str], *, enable: bool) -> list[str]:
    """A systemd unit written (as a heredoc), then enabled and started, or disabled."""
    lines = [f"cat > /etc/systemd/system/{unit}.service <<'PRISM_UNIT'", *text, "PRISM_UNIT"]
    lines.append("if systemd_running; then systemctl daemon-reload; fi")
    lines.append(f"{'prism_enable' if enable else 'prism_disable'} {unit}")
    return lines
