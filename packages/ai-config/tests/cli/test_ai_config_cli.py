"""The ai-config CLI end to end, and its faults: bad YAML, no git, SIGKILL mid-update."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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
    )["exports"]
    assert {(e["target"], e["state"]) for e in exported} == {
        ("q-cli", "written"),
        ("claude-code", "written"),
    }
    assert run(tmp_path, "library", "edit", "roles/reviewer.md").returncode == 0
    mine = tmp_path / "aic" / "library" / "personal" / "roles" / "reviewer.md"
    mine.write_text(mine.read_text().replace("one", "one (mine)"))
    upstream.push({"roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree\nfour\nfive (team)\n"})
    [updated] = as_json(run(tmp_path, "library", "update", "-o", "json"))["updates"]
    assert (updated["source"], updated["merged"]) == ("base", ["roles/reviewer.md"])
    assert "one (mine)" in mine.read_text() and "five (team)" in mine.read_text()
    stale = run(tmp_path, "agent", "export", "--check")
    assert stale.returncode == 1
    assert "helper.md" in stale.stdout
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


NOTES = {f"notes/n{i}.md": f"# Note {i}\n\na\nb\nc\n" for i in range(6)}


def overridden_notes(tmp_path: Path, upstream: Any) -> tuple[Library, str, str]:
    """Six notes overridden and edited on both sides (mine: line a, the team's: line c), the
    team's change pushed; returns the library and the base revisions before and after."""
    upstream.push(NOTES, "notes")
    lib = Library(tmp_path / "aic")
    lib.init(str(upstream.bare), "main")
    for rel in NOTES:
        mine = lib.edit(rel, open_editor=False)
        mine.write_text(mine.read_text().replace("a\n", "a (mine)\n"))
    lib.personal.commit_all("my edits")
    old = lib.base.head()
    new = upstream.push({rel: text.replace("c\n", "c (team)\n") for rel, text in NOTES.items()})
    return lib, old, new


def kill_update_at(tmp_path: Path, point: str) -> None:
    """Run `library update` until it reaches ``point``, which it announces, and SIGKILL it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_config", "library", "update"],
        env={
            **os.environ,
            "AI_CONFIG_HOME": str(tmp_path / "aic"),
            "HOME": str(tmp_path / "user"),
            "AI_CONFIG_HOLD_UPDATE": point,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    announced = process.stderr.readline()
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert announced.startswith(f"ai-config: update held at {point} "), announced


@pytest.mark.parametrize(
    ("point", "merged_before_kill"),
    [("started", 0), ("merged-3", 3), ("committed", 6)],
)
def test_an_update_killed_midway_loses_nothing_and_is_finished_by_updating_again(
    tmp_path: Path, upstream: Any, cli: Any, point: str, merged_before_kill: int
) -> None:
    lib, old, new = overridden_notes(tmp_path, upstream)
    kill_update_at(tmp_path, point)

    mine = [(lib.personal_dir / rel).read_text() for rel in sorted(NOTES)]
    assert all("a (mine)" in text for text in mine)
    assert ["c (team)" in text for text in mine] == [
        n < merged_before_kill for n in range(len(NOTES))
    ]
    assert lib.base.head() == (old if point == "started" else new)
    assert lib.read_lock().sources["base"].revision == old
    doctor = json.loads(cli("doctor", "-o", "json").stdout)
    libraries = next(c for c in doctor["checks"] if c["name"] == "libraries")
    assert libraries["status"] == "error"
    assert f"({old[:8]} -> {new[:8]}) was interrupted" in libraries["message"]
    assert "library update again" in libraries["fix"]

    finished = cli("library", "update", "-o", "json")
    assert finished.code == 0, finished.stdout
    [update] = json.loads(finished.stdout)["updates"]
    assert (update["old"], update["new"]) == (old, new)
    assert update["conflicts"] == []
    assert update["merged"] == ([] if point == "committed" else sorted(NOTES))
    for rel in NOTES:
        assert (lib.personal_dir / rel).read_text() == NOTES[rel].replace(
            "a\n", "a (mine)\n"
        ).replace("c\n", "c (team)\n")
    assert lib.personal.is_clean()
    assert lib.read_lock().sources["base"].revision == new
    doctor = json.loads(cli("doctor", "-o", "json").stdout)
    libraries = next(c for c in doctor["checks"] if c["name"] == "libraries")
    assert libraries["status"] == "ok"
