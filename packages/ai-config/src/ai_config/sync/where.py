"""Which sync tool, if any, shares a folder: found from the marks each leaves at its root.

Syncthing puts ``.stfolder`` at the root of every folder it shares; Nextcloud's desktop client
keeps its journal there (``.sync_*.db``, older ``._sync_*.db``, ``.nextcloudsync.log`` or
``.owncloudsync.log``); Dropbox has ``.dropbox`` (and ``.dropbox.cache``) at its root. A folder
on a network file system (NFS, SMB/CIFS, SSHFS) is a network share.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from ai_config.results import Result

__all__ = ["SyncFolder", "sync_folder"]

Tool = Literal["syncthing", "nextcloud", "dropbox", "network-share"]

_NETWORK_FS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ceph")


class SyncFolder(Result):
    tool: Tool
    root: Path = Field(description="The folder the tool shares (the personal library is in it)")


def _marks(folder: Path) -> Tool | None:
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return None
    if ".stfolder" in names:
        return "syncthing"
    if ".dropbox" in names or ".dropbox.cache" in names:
        return "dropbox"
    if any(
        (n.startswith((".sync_", "._sync_")) and ".db" in n)
        or n in (".nextcloudsync.log", ".owncloudsync.log")
        for n in names
    ):
        return "nextcloud"
    return None


def _network_mount(folder: Path, mounts: Path) -> Path | None:
    """The mount point of a network file system ``folder`` is on, from ``/proc/mounts``."""
    try:
        lines = mounts.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    real = os.path.realpath(folder)
    best: tuple[int, Path | None] | None = None  # the deepest mount holding the folder
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > best[0]):
            best = (len(point), Path(point) if fields[2] in _NETWORK_FS else None)
    return best[1] if best else None


def sync_folder(folder: Path, *, mounts: Path = Path("/proc/mounts")) -> SyncFolder | None:
    """The sync tool sharing ``folder`` (or a folder above it), if any."""
    for candidate in (folder, *folder.parents):
        tool = _marks(candidate)
        if tool is not None:
            return SyncFolder(tool=tool, root=candidate)
    share = _network_mount(folder, mounts)
    return SyncFolder(tool="network-share", root=share) if share is not None else None
