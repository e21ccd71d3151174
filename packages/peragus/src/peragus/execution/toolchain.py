"""The toolchain peragus installs once with npm into its own folder: esbuild to run TypeScript,
typescript (tsserver) and prettier for the editor.

tsx compiles with esbuild on every start (250-300 ms); compiling the cell and its sibling files
once with esbuild and caching the result by content makes a re-run cost a plain `node` start.
A first install takes seconds, so it is announced through ``on_notice`` (the cell's output in the
UI, stderr in the CLI) with how long it took, instead of leaving a cell silently on "Stop".

`PERAGUS_TOOLCHAIN` points at another folder (tests and benches share one across homes).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = [
    "ESBUILD",
    "PRETTIER",
    "TYPESCRIPT",
    "OnNotice",
    "Tool",
    "ensure",
    "esbuild",
    "installed",
    "node",
    "npm",
    "toolchain_dir",
]

OnNotice = Callable[[str], None]


@dataclass(frozen=True)
class Tool:
    package: str
    version: str
    entry: str
    """The file that proves it is installed, relative to the toolchain folder."""
    why: str


ESBUILD = Tool(
    "esbuild", "0.24.2", "node_modules/.bin/esbuild", "it compiles TypeScript cells to run them"
)
TYPESCRIPT = Tool(
    "typescript",
    "5.9.3",
    "node_modules/typescript/lib/tsserver.js",
    "tsserver gives the editor diagnostics, completions and hover",
)
PRETTIER = Tool("prettier", "3.6.2", "node_modules/prettier/bin/prettier.cjs", "it formats cells")


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
            "npm is not installed; peragus installs notebook dependencies and its toolchain"
            " with it.",
            suggestions=["Install npm (it comes with Node.js: apt install npm)."],
            exit_code=ExitCode.UNAVAILABLE,
        )
    return found


def toolchain_dir(home: Path) -> Path:
    override = os.environ.get("PERAGUS_TOOLCHAIN")
    return Path(override) if override else home / "toolchain"


def installed(home: Path, tool: Tool) -> Path | None:
    entry = toolchain_dir(home) / tool.entry
    return entry if entry.exists() else None


def ensure(home: Path, tool: Tool, on_notice: OnNotice | None = None) -> Path:
    """The tool's entry file, installing the tool first if this is its first use."""
    if (entry := installed(home, tool)) is not None:
        return entry
    folder = toolchain_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be installing it: wait for that one
        if (entry := installed(home, tool)) is not None:
            return entry
        spec = f"{tool.package}@{tool.version}"
        if on_notice:
            on_notice(f"Installing {spec} with npm, once ({tool.why}) into {folder}…")
        started = time.monotonic()
        done = subprocess.run(
            [npm(), "install", "--prefix", str(folder), "--no-audit", "--no-fund", spec],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        entry = folder / tool.entry
        if done.returncode != 0 or not entry.exists():
            raise ToolError(
                "PERAGUS_TOOLCHAIN_INSTALL_FAILED",
                f"Installing {spec} with npm failed: {done.stderr.strip()[-300:]}",
                suggestions=[
                    "Check the network and npm's registry settings, then try again.",
                    f"Or install it by hand: npm install --prefix {folder} {spec}",
                ],
                exit_code=ExitCode.UNAVAILABLE,
            )
        if on_notice:
            on_notice(f"Installed {spec} in {time.monotonic() - started:.1f} s.")
    return entry


def esbuild(home: Path, on_notice: OnNotice | None = None) -> Path:
    return ensure(home, ESBUILD, on_notice)
