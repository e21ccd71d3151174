"""Secrets in exports: values only in the user's own 0600 files; a project (which people commit)
gets references its tool expands, and a check flags a project file that holds a value."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ai_config.agents.model import Agent
from ai_config.agents.store import AgentStore
from ai_config.exports.check import stale_exports
from ai_config.exports.names import ExportTarget
from ai_config.exports.service import Exporter
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog
from groundwork.errors import ToolError

TOKEN = "tk-project-secret-4242"
HEADER = "Bearer hdr-secret-9999"


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    lib = Library(tmp_path / "home")
    lib.init(None, None)
    McpCatalog(lib.home).add(
        json.dumps(
            {
                "tickets": {"command": "tickets-mcp", "env": {"TICKETS_TOKEN": TOKEN}},
                "remote": {
                    "command": "remote-mcp",
                    "headers": {"Authorization": HEADER},
                },
            }
        )
    )
    AgentStore(lib).save(Agent(name="helper", mcpServers=["tickets", "remote"]), new=True)
    AgentStore(lib).save(Agent(name="tickets-only", mcpServers=["tickets"]), new=True)
    return lib


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def every_target(lib: Library, project: Path, *, inline: bool = False) -> Exporter:
    """Exports ``helper`` to every tool; Q CLI, which cannot take its header secret by
    reference, gets ``tickets-only``."""
    exporter = Exporter(lib.home)
    for target in ExportTarget:
        agent = "tickets-only" if target is ExportTarget.Q_CLI else "helper"
        exporter.export(agent, target, project, force=True, inline=inline)
    return exporter


def project_text(project: Path) -> str:
    return "".join(
        p.read_text() for p in project.rglob("*") if p.is_file() and ".git" not in p.parts
    )


def test_project_files_refer_to_the_environment_in_each_tools_syntax(
    starter: Library, project: Path
) -> None:
    exporter = every_target(starter, project)
    text = project_text(project)
    assert TOKEN not in text and "hdr-secret-9999" not in text
    claude = json.loads((project / ".mcp.json").read_text())["mcpServers"]
    assert claude["tickets"]["env"] == {"TICKETS_TOKEN": "${TICKETS_TOKEN}"}
    assert claude["remote"]["headers"] == {"Authorization": "${REMOTE_HEADERS_AUTHORIZATION}"}
    cursor = json.loads((project / ".cursor" / "mcp.json").read_text())["mcpServers"]
    assert cursor["tickets"]["env"] == {"TICKETS_TOKEN": "${env:TICKETS_TOKEN}"}
    # Q CLI documents no expansion: the key is left out, and the server inherits it.
    q = json.loads((project / ".amazonq" / "cli-agents" / "tickets-only.json").read_text())
    assert q["mcpServers"]["tickets"].get("env", {}) == {}
    kiro = json.loads((project / ".kiro" / "settings" / "mcp.json").read_text())["mcpServers"]
    assert kiro["tickets"]["env"] == {"TICKETS_TOKEN": "${TICKETS_TOKEN}"}
    assert exporter.environment == {"TICKETS_TOKEN", "REMOTE_HEADERS_AUTHORIZATION"}
    assert stale_exports(starter.home) == []

    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(
        ["git", "-c", "user.name=u", "-c", "user.email=u@u", "commit", "-qm", "agents"],
        cwd=project,
        check=True,
    )
    history = subprocess.run(
        ["git", "log", "-p"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    assert "TICKETS_TOKEN" in history and TOKEN not in history


def test_inline_secrets_in_a_project_are_flagged_by_the_check(
    starter: Library, project: Path
) -> None:
    every_target(starter, project, inline=True)
    assert TOKEN in (project / ".mcp.json").read_text()
    flagged = {(Path(f.path).name, f.state) for f in stale_exports(starter.home)}
    assert flagged == {
        (".mcp.json", "holds-secret"),
        ("mcp.json", "holds-secret"),
        ("helper.json", "holds-secret"),  # Kiro's agent
        ("tickets-only.json", "holds-secret"),  # Q CLI's agent
    }
    every_target(starter, project)
    assert stale_exports(starter.home) == []


def test_global_exports_hold_values_in_private_files(starter: Library, tmp_path: Path) -> None:
    [written] = Exporter(starter.home).export("helper", ExportTarget.Q_CLI, None, force=False)
    path = Path(written.path)
    server = json.loads(path.read_text())["mcpServers"]
    assert server["tickets"]["env"]["TICKETS_TOKEN"] == TOKEN
    assert server["remote"]["headers"]["Authorization"] == HEADER
    assert path.stat().st_mode & 0o777 == 0o600
    assert stale_exports(starter.home) == []


def test_a_q_cli_project_export_refuses_a_secret_it_could_only_write_inline(
    starter: Library, project: Path
) -> None:
    exporter = Exporter(starter.home)
    with pytest.raises(ToolError) as refused:
        exporter.export("helper", ExportTarget.Q_CLI, project, force=True)
    assert refused.value.code == "AI_CONFIG_SECRET_NOT_EXPANDABLE"
    assert refused.value.context == {"field": "headers.Authorization"}
    assert not (project / ".amazonq").exists()
    exporter.export("helper", ExportTarget.Q_CLI, project, force=True, inline=True)
    written = (project / ".amazonq" / "cli-agents" / "helper.json").read_text()
    assert HEADER in written
