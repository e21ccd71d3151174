"""The TypeScript toolchain: esbuild, installed once with npm into peragus's own folder.

tsx compiles with esbuild on every start (250-300 ms); compiling the cell and its sibling files
once with esbuild and caching the result by content makes a re-run cost a plain `node` start.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["ESBUILD_VERSION", "esbuild", "node", "npm"]

ESBUILD_VERSION = "0.24.2"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise ToolError(
            "PERAGUS_NODE_MISSING",
            "Node.js is not installed; peragus runs cells with node.",
            suggestions=["Install Node.js 20 or newer (apt install nodejs, or nodejs.org)."],
            exit_code=ExitCode.UNAVAILABLE,
        )
    return found


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        raise ToolError(
            "PERAGUS_NPM_MISSING",
            "npm is not installed; peragus installs notebook dependencies and esbuild with it.",
            suggestions=["Install npm (it comes with Node.js: apt install npm)."],
            exit_code=ExitCode.UNAVAILABLE,
        )
    return found


def esbuild(home: Path) -> Path:
    folder = home / "toolchain"
    binary = folder / "node_modules" / ".bin" / "esbuild"
    if binary.exists():
        return binary
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():
            return binary
        done = subprocess.run(
            [
                npm(),
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"esbuild@{ESBUILD_VERSION}",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not binary.exists():
            raise ToolError(
                "PERAGUS_TOOLCHAIN_INSTALL_FAILED",
                f"Installing esbuild with npm failed: {done.stderr.strip()[-300:]}",
                suggestions=[
                    "Check the network and npm's registry settings, then run the cell again."
                ],
                exit_code=ExitCode.UNAVAILABLE,
            )
    return binary
