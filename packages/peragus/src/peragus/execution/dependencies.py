"""A notebook's npm dependencies: which imports are missing before a run, and `npm install`.

Reporting a missing package before the run turns node's ERR_MODULE_NOT_FOUND stack trace into one
line that says what to install.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from peragus.execution.toolchain import npm

__all__ = ["declared", "imported_packages", "install", "missing_packages", "not_installed"]

_SPECIFIERS = re.compile(
    r"""(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\1"""
)
_NODE_BUILTINS = frozenset(
    {
        *("assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants"),
        *("crypto", "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http"),
        *("http2", "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process"),
        *("punycode", "querystring", "readline", "repl", "stream", "string_decoder", "sys"),
        *("timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi"),
        *("worker_threads", "zlib", "test"),
    }
)


def _package_name(specifier: str) -> str | None:
    """The npm package a bare specifier names, or None for relative, absolute and built-ins."""
    if specifier.startswith((".", "/", "node:", "data:", "file:")):
        return None
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    return None if name in _NODE_BUILTINS else name


def imported_packages(source: str) -> set[str]:
    """The npm packages a cell's source imports (not relative files, not node's built-ins)."""
    return {
        name
        for m in _SPECIFIERS.finditer(source)
        if (name := _package_name(m.group(2))) is not None
    }


def _is_installed(folder: Path, name: str) -> bool:
    return (folder / "node_modules" / name / "package.json").is_file()


def missing_packages(folder: Path, source: str) -> list[str]:
    """Packages the source imports that are not in the notebook's node_modules."""
    return sorted(name for name in imported_packages(source) if not _is_installed(folder, name))


def declared(folder: Path) -> set[str]:
    """Every package package.json names (dependencies of every kind); none if it is unreadable."""
    try:
        data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names: set[str] = set()
    if isinstance(data, dict):
        for kind in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            if isinstance(data.get(kind), dict):
                names.update(data[kind])
    return names


def not_installed(folder: Path) -> list[str]:
    """Packages package.json declares that node_modules lacks: `npm install` is due."""
    return sorted(name for name in declared(folder) if not _is_installed(folder, name))


def install(
    folder: Path, packages: list[str], on_output: Callable[[str, str], None] | None = None
) -> int:
    """`npm install` in the notebook folder (adding ``packages`` if given), streaming its output."""
    process = subprocess.Popen(
        [npm(), "install", "--no-audit", "--no-fund", "--loglevel=warn", *packages],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if on_output:
            on_output("stdout", line)
    return process.wait()
