"""Where each tool keeps its files: an environment variable wins, else the platform's data folder.

Tests and power users point a tool at a throwaway folder with the variable
(``PRISM_STATE_DIR``, ``AI_CONFIG_HOME``, ``PHOENIX_HOME``, ``PERAGUS_HOME``).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import platformdirs

__all__ = ["private_dir", "tool_home", "tool_log_dir", "tool_log_file"]


def tool_home(tool: str, env_var: str) -> Path:
    override = os.environ.get(env_var, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return platformdirs.user_data_path(tool, appauthor=False)


def tool_log_dir(tool: str, env_var: str | None = None) -> Path:
    """The one folder a tool's logs go to, its CLI's and its services' alike: ``logs/`` inside
    the tool's folder when the variable points it elsewhere, so a throwaway folder keeps its
    logs too; else the platform's log folder.
    """
    override = os.environ.get(env_var, "").strip() if env_var else ""
    if override:
        return Path(override).expanduser().resolve() / "logs"
    return platformdirs.user_log_path(tool)


def tool_log_file(tool: str, env_var: str | None = None) -> Path:
    """The CLI's log, in :func:`tool_log_dir`."""
    return tool_log_dir(tool, env_var) / f"{tool}.log"


def private_dir(path: Path) -> Path:
    """Create a folder only its owner can read (0700), and every missing folder above it the
    same way (``mkdir(parents=True)`` would make those with the default mode), and return it.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=0o700)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path))
    return path
