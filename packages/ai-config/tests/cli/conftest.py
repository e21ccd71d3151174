"""The ai-config CLI as a user runs it: a private home, no keyring, no colour.

``run`` starts it as its own process, as a user would; ``cli`` runs the same entry point in this
process (the same argument parsing, output and error handling, without a second start-up), for
tests that run many commands.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def _env(home: Path) -> dict[str, str]:
    return {
        "AI_CONFIG_HOME": str(home / "aic"),
        "HOME": str(home / "user"),
        "EDITOR": "true",
        "AI_CONFIG_KEYRING": "0",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }


def run_ai_config(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ai_config", *args],
        env={**os.environ, **_env(home), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def run() -> RunCli:
    return run_ai_config


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


InProcess = Callable[..., Ran]


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> InProcess:
    """``cli(*args, stdin="")``: ai-config's ``main`` in this process, in ``tmp_path``'s home."""
    from ai_config.cli import main

    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)

    def invoke(*args: str, stdin: str = "") -> Ran:
        capfd.readouterr()
        monkeypatch.setattr(sys, "argv", ["ai-config", *args])
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capfd.readouterr()
        return Ran(int(exited.value.code or 0), captured.out, captured.err)

    return invoke
