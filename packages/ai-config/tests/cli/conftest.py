"""The ai-config CLI as a user runs it: its own process, a private home, no keyring, no colour."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def run_ai_config(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ai_config", *args],
        env={
            **os.environ,
            "AI_CONFIG_HOME": str(home / "aic"),
            "HOME": str(home / "user"),
            "EDITOR": "true",
            "AI_CONFIG_KEYRING": "0",
            "NO_COLOR": "1",
            "COLUMNS": "200",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def run() -> RunCli:
    return run_ai_config
