"""A notebook's npm dependencies: which imports are missing before a run, and `npm install`.

Reporting a missing package before the run turns node's ERR_MODULE_NOT_FOUND stack trace into one
line that says what to install.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from peragus.execution.toolchain import npm

__all__ = ["install", "missing_packages"]

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


def missing_packages(folder: Path, source: str) -> list[str]:
    """Packages the source imports that are not in the notebook's node_modules."""
    wanted = {_package_name(m.group(2)) for m in _SPECIFIERS.finditer(source)}
    return sorted(
        name
        for name in wanted
        if name is not None and not (folder / "node_modules" / name / "package.json").is_file()
    )


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
