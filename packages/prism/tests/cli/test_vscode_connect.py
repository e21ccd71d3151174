"""`prism connect NAME --vscode`: the workstation becomes an SSH host in a file prism owns, read
by the real ssh (`ssh -G`) once ~/.ssh/config includes it, which only happens with consent.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

USER_CONFIG = "Host mine\n    HostName example.org\n    User me\n"


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    yield tmp_path / "state"
    prism.stop_daemon(tmp_path / "state", lab.env)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    (folder / ".ssh").mkdir(parents=True, mode=0o700)
    (folder / ".ssh" / "config").write_text(USER_CONFIG)
    return folder


def resolved(ssh: str, config: Path, host: str) -> dict[str, str]:
    """What ssh itself makes of a host name with this config file."""
    shown = subprocess.run(
        [ssh, "-G", "-F", str(config), host], capture_output=True, text=True, check=True
    )
    return {
        key: value for key, _, value in (line.partition(" ") for line in shown.stdout.splitlines())
    }


def test_vscode_writes_an_entry_ssh_reads_and_includes_it_only_with_consent(
    prism: Any, lab: Any, state: Path, home: Path, system_tool: Any
) -> None:
    ssh = system_tool("ssh", package="openssh-client")
    env = {**lab.env, "HOME": str(home)}
    lab.use_profile(prism, state)
    ws = prism.json(state, "launch", "ubuntu-server", "vs-real", env=env)["workstation"]
    assert ws["public_ip"]

    declined = prism.run(state, "connect", "vs-real", "--vscode", "--print", env=env, input="n\n")
    assert declined.returncode == 0, declined.stderr
    assert declined.stdout.strip() == "code --remote ssh-remote+vs-real /home/ubuntu"
    assert "was left alone" in declined.stderr
    assert (home / ".ssh" / "config").read_text() == USER_CONFIG
    assert sorted(p.name for p in (home / ".ssh").iterdir()) == ["config"]

    owned = state / "ssh_config"
    assert stat.S_IMODE(owned.stat().st_mode) == 0o600
    entry = resolved(ssh, owned, "vs-real")
    assert entry["hostname"] == ws["public_ip"]
    assert entry["user"] == "ubuntu"
    assert entry["identityfile"] == ws["key_file"]

    agreed = prism.run(state, "connect", "vs-real", "--vscode", "--print", env=env, input="y\n")
    assert agreed.returncode == 0, agreed.stderr
    assert "Add the line" in agreed.stderr
    config = (home / ".ssh" / "config").read_text()
    assert config.splitlines()[1] == f'Include "{owned}"'
    assert config.endswith(USER_CONFIG)
    [backup] = [p for p in (home / ".ssh").iterdir() if p.name.startswith("config.prism-backup-")]
    assert backup.read_text() == USER_CONFIG
    assert resolved(ssh, home / ".ssh" / "config", "vs-real")["hostname"] == ws["public_ip"]
    assert resolved(ssh, home / ".ssh" / "config", "mine")["hostname"] == "example.org"

    again = prism.json(state, "connect", "vs-real", "--vscode", "--print", env=env)
    assert again["editor"]["included"] is True
    assert again["editor"]["backup"] is None
    assert (home / ".ssh" / "config").read_text() == config

    listed = prism.run(state, "ssh-config", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "Host vs-real" in listed.stdout
    assert f"HostName {ws['public_ip']}" in listed.stdout

    assert prism.run(state, "delete", "vs-real", "--yes", env=env).returncode == 0
    assert prism.json(state, "ssh-config", env=env)["ssh_hosts"] == []
    assert resolved(ssh, owned, "vs-real")["hostname"] == "vs-real"


def test_vscode_runs_code_when_it_is_there_and_gives_the_command_when_not(
    prism: Any, lab: Any, state: Path, home: Path, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "code-calls"
    code = bin_dir / "code"
    code.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\n')
    code.chmod(0o755)
    env = {**lab.env, "HOME": str(home), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    lab.use_profile(prism, state)
    prism.json(state, "launch", "ubuntu-server", "vs-open", env=env)

    opened = prism.run(state, "connect", "vs-open", "--vscode", "--yes", env=env)
    assert opened.returncode == 0, opened.stderr
    assert calls.read_text() == "--remote ssh-remote+vs-open /home/ubuntu\n"
    assert "Opened VS Code on vs-open" in opened.stdout

    without = prism.run(
        state, "connect", "vs-open", "--vscode", env={**env, "PATH": "/usr/bin:/bin"}
    )
    assert without.returncode == 0, without.stderr
    assert "code --remote ssh-remote+vs-open /home/ubuntu" in without.stdout
    assert "not on PATH" in without.stdout
    assert calls.read_text().count("\n") == 1


def test_a_sandbox_workstation_prints_its_command_and_writes_no_ssh_config(
    prism: Any, sandbox: Path, tmp_path: Path
) -> None:
    env = {"HOME": str(tmp_path)}
    assert prism.run(sandbox, "launch", "ubuntu-server", "vs-sim", env=env).returncode == 0
    printed = prism.run(sandbox, "connect", "vs-sim", "--vscode", "--print", env=env)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == "code --remote ssh-remote+vs-sim /home/ubuntu\n"
    assert "vs-sim is simulated by the sandbox" in printed.stderr
    assert "nothing was written to your SSH config" in printed.stderr
    as_json = prism.json(sandbox, "connect", "vs-sim", "--vscode", "--print", env=env)
    assert as_json["opened"] is False and as_json["editor"]["included"] is False
    assert as_json["editor"]["command"] == ["code", "--remote", "ssh-remote+vs-sim", "/home/ubuntu"]
    refused = prism.run(sandbox, "connect", "vs-sim", "--vscode", "--yes", "-o", "json", env=env)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["code"] == "PRISM_SANDBOX_NOTHING_TO_CONNECT"
    as_user = prism.run(sandbox, "connect", "vs-sim", "--vscode", "--as", "ada", "-o", "json")
    assert as_user.returncode == 2
    assert json.loads(as_user.stdout)["code"] == "PRISM_VSCODE_AS_UNSUPPORTED"
    hosts = prism.json(sandbox, "ssh-config", env=env)["ssh_hosts"]
    assert "vs-sim" not in [h["alias"] for h in hosts]
    assert not (tmp_path / ".ssh").exists()
    assert prism.run(sandbox, "delete", "vs-sim", "--yes", env=env).returncode == 0
