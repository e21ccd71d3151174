"""The SSH config file prism owns (one `Host` block per workstation) and the one `Include`
line that makes ~/.ssh/config read it.

prism never rewrites the user's own entries: its hosts live in a file of its own, and the user's
config gains a single Include line, added once, with consent, after a backup.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write_text
from prism.connect.results import SshHost

__all__ = [
    "FILE_NAME",
    "include_line",
    "is_included",
    "read_hosts",
    "remove_host",
    "render",
    "upsert_host",
    "user_config",
    "write_include",
]

FILE_NAME = "ssh_config"
HEADER = "# Written by prism (prism connect NAME --vscode); prism rewrites this file.\n"
_SAFE_ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def user_config() -> Path:
    return Path.home() / ".ssh" / "config"


def include_line(owned: Path) -> str:
    return f'Include "{owned}"'


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) else value


def render(hosts: list[SshHost]) -> str:
    blocks = [HEADER]
    for host in sorted(hosts, key=lambda h: h.alias):
        lines = [
            f"Host {host.alias}",
            f"    HostName {host.hostname}",
            f"    User {host.user}",
        ]
        if host.identity_file:
            lines += [f"    IdentityFile {_quoted(host.identity_file)}", "    IdentitiesOnly yes"]
        lines += ["    StrictHostKeyChecking accept-new", "    ServerAliveInterval 30"]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def read_hosts(owned: Path) -> list[SshHost]:
    """The hosts in prism's file, read back from the blocks `render` wrote."""
    if not owned.is_file():
        return []
    hosts: list[SshHost] = []
    fields: dict[str, str] = {}

    def close() -> None:
        if fields:
            hosts.append(
                SshHost(
                    alias=fields["host"],
                    hostname=fields.get("hostname", ""),
                    user=fields.get("user", ""),
                    identity_file=fields.get("identityfile"),
                )
            )

    for raw in owned.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        if key.lower() == "host":
            close()
            fields = {}
        fields[key.lower()] = value.strip().strip('"')
    close()
    return hosts


def _write(owned: Path, hosts: list[SshHost]) -> None:
    private_dir(owned.parent)
    atomic_write_text(owned, render(hosts), private=True)


def upsert_host(owned: Path, host: SshHost) -> None:
    """Add the host, or replace its entry (its address changes when it stops and starts)."""
    if not _SAFE_ALIAS.match(host.alias):
        raise ToolError(
            "PRISM_SSH_ALIAS_INVALID",
            f"{host.alias!r} cannot be an SSH host name (letters, digits, '.', '_', '-' only).",
            suggestions=["Connect with plain ssh instead: prism connect NAME --print"],
            exit_code=ExitCode.USAGE,
        )
    _write(owned, [h for h in read_hosts(owned) if h.alias != host.alias] + [host])


def remove_host(owned: Path, alias: str) -> bool:
    """Drop a deleted workstation's entry; whether there was one."""
    hosts = read_hosts(owned)
    kept = [h for h in hosts if h.alias != alias]
    if len(kept) == len(hosts):
        return False
    _write(owned, kept)
    return True


def is_included(owned: Path, config: Path) -> bool:
    if not config.is_file():
        return False
    wanted = include_line(owned)
    return any(line.strip() == wanted for line in config.read_text(encoding="utf-8").splitlines())


def write_include(owned: Path, config: Path) -> Path | None:
    """Put the Include line first in the user's config (ssh reads an Include placed after a
    Host line as part of that host), keeping a copy of the file as it was; the copy's path.
    """
    private_dir(config.parent)
    backup: Path | None = None
    old = ""
    if config.is_file():
        old = config.read_text(encoding="utf-8")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = config.with_name(f"{config.name}.prism-backup-{stamp}")
        shutil.copy2(config, backup)
    text = f"# Added by prism: its workstations, for VS Code and ssh\n{include_line(owned)}\n\n"
    atomic_write_text(config, text + old, private=not config.exists())
    return backup
