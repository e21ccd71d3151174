"""The copies sync tools make when two machines changed one file, and their own files.

When two machines change a file before syncing, each tool keeps one version under the file's
name and the other beside it, named its own way:

- Syncthing: ``NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.ext``
- Nextcloud: ``NAME (conflicted copy YYYY-MM-DD HHMMSS).ext`` (newer clients add the user)
- Dropbox: ``NAME (HOST's conflicted copy YYYY-MM-DD).ext`` (``(1)`` and so on may follow)

Such a copy is no library file: it waits for `ai-config sync merge`, which merges it into the
file three-way.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Literal

__all__ = ["SyncTool", "conflict_copy_of", "is_conflict_copy", "is_sync_tool_file"]

SyncTool = Literal["syncthing", "nextcloud", "dropbox"]

_SYNCTHING = re.compile(r"^(?P<stem>.+?)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(?P<ext>\.[^.]+)?$")
_CONFLICTED = re.compile(
    r"^(?P<stem>.+?) \((?P<who>[^()]*'s )?conflicted copy[^()]*\)(?: \(\d+\))?(?P<ext>\.[^.]+)?$"
)

_TOOL_FILES = frozenset((".stfolder", ".stignore", ".stversions", ".dropbox", ".dropbox.cache"))
_TOOL_PREFIXES = (".sync_", "._sync_", ".owncloudsync.log", ".nextcloudsync.log", ".syncthing.")


def conflict_copy_of(rel: str) -> tuple[str, SyncTool] | None:
    """The library path a conflict copy is a copy of, and the tool that made it; None for a
    path that is no conflict copy."""
    path = PurePosixPath(rel)
    found = _SYNCTHING.match(path.name)
    tool: SyncTool = "syncthing"
    if found is None:
        found = _CONFLICTED.match(path.name)
        if found is None:
            return None
        tool = "dropbox" if found.group("who") else "nextcloud"
    original = found.group("stem") + (found.group("ext") or "")
    return str(path.with_name(original)), tool


def is_conflict_copy(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if "sync-conflict-" not in name and "conflicted copy" not in name:
        return False  # the common case, without a regular expression
    return conflict_copy_of(rel) is not None


def is_sync_tool_file(name: str) -> bool:
    """A sync tool's own file or folder (Syncthing's ``.stfolder``, Nextcloud's ``.sync_*.db``,
    Dropbox's ``.dropbox``, a temporary file being received): never a library file."""
    return name in _TOOL_FILES or name.startswith(_TOOL_PREFIXES)
