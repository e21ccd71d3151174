"""`ai-config doctor --bundle FILE`: one archive to attach to a bug report.

It holds the versions (ai-config, Python, git, the platform), the doctor results, the
configuration with secrets removed (library.lock with credentials taken out of URLs, the MCP
catalog with every env and header value that is not a reference replaced, profiles, settings),
the sync status, and the last lines of the log and the audit log, with every stored secret's
value and AI_CONFIG_GIT_TOKEN taken out of the text. The secrets store and its key are never in
it. The archive is 0600.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import re
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from ai_config import __version__
from ai_config.library.git import TOKEN_VAR, Git, git_available
from groundwork.errors import ToolError
from groundwork.state.atomic import atomic_write

__all__ = ["LOG_LINES", "write_bundle"]

LOG_LINES = 200
REMOVED = "<removed>"
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_REFERENCE = re.compile(r"^\$\{[^}]+\}$")


def _secret_values(home: Path) -> list[str]:
    values = [os.environ[TOKEN_VAR]] if os.environ.get(TOKEN_VAR) else []
    from ai_config.mcp.secrets import SecretStore

    # Without the key (a locked keyring) the values cannot be read, and so cannot leak either.
    with contextlib.suppress(ToolError):
        values += SecretStore(home).values()
    return sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    from groundwork.logs import redactor

    for value in secrets:
        text = text.replace(value, REMOVED)
    return _USERINFO.sub(f"{REMOVED}@", redactor.redact_text(text))


def _tail(path: Path, lines: int) -> str:
    try:
        return "".join(path.read_text("utf-8", "replace").splitlines(keepends=True)[-lines:])
    except FileNotFoundError:
        return ""


def _catalog(home: Path) -> Any:
    try:
        data = json.loads((home / "mcp.json").read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    for entry in data.values() if isinstance(data, dict) else []:
        for field in ("env", "headers"):
            values = entry.get(field) if isinstance(entry, dict) else None
            if isinstance(values, dict):
                entry[field] = {
                    k: v if isinstance(v, str) and _REFERENCE.match(v) else REMOVED
                    for k, v in values.items()
                }
    return data


def _versions() -> dict[str, Any]:
    found: dict[str, Any] = {
        "ai-config": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": Git(Path.cwd()).out("--version") if git_available() else None,
    }
    try:
        from importlib.metadata import PackageNotFoundError, version

        found["textual"] = version("textual")
    except PackageNotFoundError:
        found["textual"] = None
    return found


def write_bundle(home: Path, target: Path, doctor: dict[str, Any], sync: Any) -> list[str]:
    """Write the archive; the names of what it holds."""
    secrets = _secret_values(home)
    members: dict[str, str] = {
        "versions.json": json.dumps(_versions(), indent=2),
        "doctor.json": json.dumps(doctor, indent=2, default=str),
        "config/library.lock": _tail(home / "library.lock", 10_000),
        "config/mcp.json": json.dumps(_catalog(home), indent=2),
        "config/profiles.json": _tail(home / "profiles.json", 10_000),
        "config/settings.json": _tail(home / "settings.json", 10_000),
        "sync.json": json.dumps(sync, indent=2, default=str),
        "logs/ai-config.log": _tail(home / "logs" / "ai-config.log", LOG_LINES),
        "logs/audit.log": _tail(home / "audit.log", LOG_LINES),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in members.items():
            data = _scrub(text, secrets).encode("utf-8")
            info = tarfile.TarInfo(f"ai-config-diagnostics/{name}")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(data))
    atomic_write(target, buffer.getvalue(), private=True)
    return sorted(members)
