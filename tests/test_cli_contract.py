"""What every tool's command line promises a user, checked on all four as installed."""

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

TOOLS = {
    "prism": "PRISM_STATE_DIR",
    "ai-config": "AI_CONFIG_HOME",
    "phoenix": "PHOENIX_HOME",
    "peragus": "PERAGUS_HOME",
}


def _run(tool: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which(tool)
    assert executable, f"{tool} is not installed in the workspace environment"
    env = {**os.environ, TOOLS[tool]: str(home), "COLUMNS": "120", "PRISM_DAEMON_PORT": "0"}
    return subprocess.run([executable, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("tool", TOOLS)
def test_help_lists_doctor_with_examples(tool: str, tmp_path: Path) -> None:
    done = _run(tool, "--help", home=tmp_path)
    assert done.returncode == 0
    assert "doctor" in done.stdout
    assert "Examples" in done.stdout


@pytest.mark.parametrize("tool", TOOLS)
def test_version(tool: str, tmp_path: Path) -> None:
    done = _run(tool, "--version", home=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith(f"{tool} ")


@pytest.mark.parametrize("tool", TOOLS)
def test_doctor_json_on_a_fresh_home(tool: str, tmp_path: Path) -> None:
    done = _run(tool, "doctor", "--output", "json", home=tmp_path / "fresh")
    payload = json.loads(done.stdout)
    assert payload["checks"], "doctor ran no check"
    assert done.returncode == (1 if payload["status"] == "error" else 0)


@pytest.mark.parametrize("tool", TOOLS)
def test_doctor_fails_when_its_folder_is_a_file(tool: str, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    done = _run(tool, "doctor", home=not_a_folder)
    assert done.returncode == 1
    assert "is not a folder" in done.stdout


@pytest.mark.parametrize("tool", TOOLS)
def test_unknown_command_is_a_usage_error(tool: str, tmp_path: Path) -> None:
    done = _run(tool, "no-such-command", home=tmp_path)
    assert done.returncode == 2
    assert "No such command" in done.stderr
    assert "Traceback" not in done.stderr


NOT_FOUND = {
    "prism": ("templates", "info", "no-such-template"),
    "ai-config": ("agent", "show", "no-such-agent"),
    "phoenix": ("pipeline", "show", "no-such-pipeline"),
    "peragus": ("export", "no-such-notebook"),
}


def _problem(done: subprocess.CompletedProcess[str], tool: str) -> dict[str, object]:
    """The one problem+json document a failed command printed on stdout."""
    assert "Traceback" not in done.stdout + done.stderr
    problem = json.loads(done.stdout)
    assert problem["exit_code"] == done.returncode != 0
    assert str(problem["code"]).startswith(tool.upper().replace("-", "_") + "_")
    assert problem["detail"]
    assert problem["suggestions"]
    return problem


@pytest.mark.parametrize("tool", TOOLS)
def test_a_failing_command_in_json_mode_prints_problem_json_with_its_exit_code(
    tool: str, tmp_path: Path
) -> None:
    done = _run(tool, *NOT_FOUND[tool], "--output", "json", home=tmp_path)
    problem = _problem(done, tool)
    assert (problem["status"], done.returncode) in ((404, 3), (400, 2))
    assert "Error" not in done.stderr  # the terminal box is not printed beside it


@pytest.mark.parametrize("tool", TOOLS)
def test_usage_mistakes_in_json_mode_are_problem_json_too(tool: str, tmp_path: Path) -> None:
    unknown = _run(tool, "no-such-command", "-o", "json", home=tmp_path)
    assert _problem(unknown, tool)["exit_code"] == 2
    bad_option = _run(tool, "doctor", "--no-such-option", "--output=json", home=tmp_path)
    problem = _problem(bad_option, tool)
    assert problem["exit_code"] == 2
    assert "--no-such-option" in str(problem["detail"])


FIRST_WRITE = {
    "prism": (("daemon", "start"), ("daemon", "stop", "--sandbox")),
    "ai-config": (("init",),),
    "phoenix": (("pipeline", "deploy", "process-topk-v1"),),
    "peragus": (("new", "Demo", "--language", "javascript"),),
}


@pytest.mark.parametrize("tool", TOOLS)
def test_the_folder_a_tool_makes_for_its_state_is_private(tool: str, tmp_path: Path) -> None:
    home = tmp_path / "home" / tool  # neither exists yet: the tool makes both levels
    for command in FIRST_WRITE[tool]:
        done = _run(tool, *command, home=home)
        assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(home.parent.stat().st_mode) == 0o700
    doctor = json.loads(_run(tool, "doctor", "-o", "json", home=home).stdout)
    loose = [c for c in doctor["checks"] if "readable by other users" in c["message"]]
    assert loose == []
