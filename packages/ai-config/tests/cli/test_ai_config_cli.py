"""The ai-config CLI end to end, and its faults: bad YAML, no git, SIGKILL mid-update."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_config.library.store import Library

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_new_user_journey(tmp_path: Path, upstream: Any, run: RunCli) -> None:
    assert (
        run(tmp_path, "init", "--library", str(upstream.bare), "--branch", "main").returncode == 0
    )
    created = run(
        tmp_path,
        "agent",
        "create",
        "helper",
        "-d",
        "Reviews",
        "-p",
        "roles/reviewer.md",
        "-r",
        "roles/*.md",
        "--mcp",
        "git",
    )
    assert created.returncode == 0, created.stderr
    exported = as_json(
        run(tmp_path, "agent", "export", "helper", "-t", "q-cli", "-t", "claude-code", "-o", "json")
    )
    assert {e["target"] for e in exported} == {"q-cli", "claude-code"}
    assert run(tmp_path, "library", "edit", "roles/reviewer.md").returncode == 0
    mine = tmp_path / "aic" / "library" / "personal" / "roles" / "reviewer.md"
    mine.write_text(mine.read_text().replace("one", "one (mine)"))
    upstream.push({"roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree\nfour\nfive (team)\n"})
    updated = as_json(run(tmp_path, "library", "update", "-o", "json"))
    assert updated["merged"] == ["roles/reviewer.md"]
    stale = run(tmp_path, "agent", "export", "--check")
    assert stale.returncode == 1
    assert run(tmp_path, "agent", "export", "--all").returncode == 0
    assert run(tmp_path, "agent", "export", "--check").returncode == 0


def test_malformed_agent_yaml_names_the_line(tmp_path: Path, run: RunCli) -> None:
    assert run(tmp_path, "init").returncode == 0
    agents = tmp_path / "aic" / "library" / "personal" / "agents"
    agents.mkdir(parents=True)
    (agents / "broken.yaml").write_text("name: broken\nresources: [roles/a.md\ndescription: x\n")
    shown = run(tmp_path, "agent", "show", "broken")
    assert shown.returncode == 2
    assert "agents/broken.yaml:" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_no_git_binary_is_a_clear_error(tmp_path: Path, run: RunCli) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run(tmp_path, "init", env={"PATH": str(empty)})
    assert done.returncode == 6
    assert "AI_CONFIG_GIT_MISSING" in done.stderr


def test_secret_values_never_appear_in_json_output(tmp_path: Path, run: RunCli) -> None:
    assert run(tmp_path, "init").returncode == 0
    pasted = '{"svc": {"command": "svc-mcp", "env": {"API_KEY": "sk-very-secret-value"}}}'
    assert run(tmp_path, "mcp", "add", "--json", pasted).returncode == 0
    for args in (("mcp", "list", "-o", "json"), ("mcp", "show", "svc", "-o", "json")):
        assert "sk-very-secret-value" not in run(tmp_path, *args).stdout


@pytest.mark.parametrize("delay", [0.4, 0.8])
def test_sigkill_in_the_middle_of_an_update_loses_nothing(
    tmp_path: Path, upstream: Any, delay: float, run: RunCli
) -> None:
    files = {f"notes/n{i:03}.md": f"# Note {i}\n\na\nb\nc\n" for i in range(60)}
    upstream.push(files, "many notes")
    assert (
        run(tmp_path, "init", "--library", str(upstream.bare), "--branch", "main").returncode == 0
    )
    personal = tmp_path / "aic" / "library" / "personal"
    for rel in files:
        assert (
            run(tmp_path, "library", "edit", rel).returncode == 0
            if rel.endswith("000.md")
            else True
        )

    lib = Library(tmp_path / "aic")
    for rel in list(files)[1:]:
        lib.edit(rel, open_editor=False)
    for rel in files:
        (personal / rel).write_text((personal / rel).read_text().replace("a\n", "a (mine)\n"))
    lib.personal.commit_all("my edits")
    upstream.push({rel: text.replace("c\n", "c (team)\n") for rel, text in files.items()})

    process = subprocess.Popen(
        [sys.executable, "-m", "ai_config", "library", "update"],
        env={**os.environ, "AI_CONFIG_HOME": str(tmp_path / "aic"), "HOME": str(tmp_path / "user")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()

    doctor = json.loads(run(tmp_path, "doctor", "-o", "json").stdout)
    libraries = next(c for c in doctor["checks"] if c["name"] == "libraries")
    assert libraries["status"] in ("ok", "error")
    if libraries["status"] == "error":
        assert "library update again" in libraries["fix"]
    finished = run(tmp_path, "library", "update")
    assert finished.returncode == 0, finished.stderr
    for rel in files:
        text = (personal / rel).read_text()
        assert "a (mine)" in text, rel
        assert "c (team)" in text, rel
