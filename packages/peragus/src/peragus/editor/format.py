"""Formatting a cell with prettier (from peragus's toolchain), as srcbook's `cell:format` does."""

from __future__ import annotations

import subprocess
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from peragus.execution.toolchain import PRETTIER, OnNotice, ensure, node

__all__ = ["format_source"]

TIMEOUT_SECONDS = 30


def format_source(home: Path, filename: str, source: str, on_notice: OnNotice | None = None) -> str:
    """The source as prettier writes it; prettier picks its parser from the file name."""
    prettier = ensure(home, PRETTIER, on_notice)
    try:
        done = subprocess.run(
            [node(), str(prettier), "--stdin-filepath", filename, "--no-config"],
            input=source,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(
            "PERAGUS_FORMAT_FAILED",
            f"prettier took longer than {TIMEOUT_SECONDS} s on {filename}.",
            suggestions=["Try again; a very long cell may need splitting."],
            exit_code=ExitCode.TIMEOUT,
        ) from None
    if done.returncode != 0:
        message = done.stderr.strip().replace("[error] ", "")
        raise ToolError(
            "PERAGUS_FORMAT_FAILED",
            f"prettier could not format {filename}: {message[:500]}",
            suggestions=["Fix the syntax error it points at, then format again."],
            exit_code=ExitCode.FAILURE,
        )
    # prettier ends files with a newline; a cell keeps the ending it had.
    return done.stdout if source.endswith("\n") else done.stdout.removesuffix("\n")
