"""`prism tui` as a command: its help, and the clear errors when it cannot draw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def prism(tmp_path: Path, *args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    """prism as a user runs it, its input and output not a terminal; ``code`` runs first."""
    run = f"{code}\nimport sys\nfrom prism.cli import main\nsys.argv = ['prism', *{args!r}]\nmain()"
    env = {**os.environ, "PRISM_STATE_DIR": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", run],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_help_lists_the_keys_and_examples(tmp_path: Path) -> None:
    shown = prism(tmp_path, "tui", "--help")
    assert shown.returncode == 0, shown.stderr
    assert "l launch, s stop, t start, h hibernate, u resume, d delete" in shown.stdout
    assert "prism tui -o json" in shown.stdout
    assert "prism tui" in prism(tmp_path, "--help").stdout


def test_without_textual_it_says_which_extra_to_install(tmp_path: Path) -> None:
    missing = prism(tmp_path, "tui", "-o", "json", code="import sys; sys.modules['textual'] = None")
    assert missing.returncode == 6, missing.stderr
    problem = json.loads(missing.stdout)
    assert problem["code"] == "PRISM_TUI_NOT_INSTALLED"
    assert "prism[tui]" in problem["detail"]


def test_without_a_terminal_it_refuses_with_a_usage_error(tmp_path: Path) -> None:
    refused = prism(tmp_path, "tui", "-o", "json")
    assert refused.returncode == 2, refused.stderr
    assert json.loads(refused.stdout)["code"] == "PRISM_TUI_NEEDS_TERMINAL"
