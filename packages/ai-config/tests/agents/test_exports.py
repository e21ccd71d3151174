"""Exports checked against the Q CLI schema and parsed back; hand edits are never clobbered."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ai_config.agents.model import Agent
from ai_config.agents.store import AgentStore
from ai_config.exports.check import stale_exports
from ai_config.exports.names import ExportTarget
from ai_config.exports.service import Exporter
from ai_config.exports.writer import ExportedFile
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog
from groundwork.errors import ToolError

SCHEMA = Path(__file__).parents[1] / "fixtures" / "q-cli-agent.schema.json"


def export_agent(
    home: Path, name: str, target: str, dest: Path | None, *, force: bool
) -> list[ExportedFile]:
    return Exporter(home).export(name, ExportTarget(target), dest, force=force)


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    lib = Library(tmp_path / "home")
    lib.init(None, None)
    return lib


def make_agent(lib: Library) -> None:
    McpCatalog(lib.home).add(
        '{"mcpServers": {"tickets": {"command": "tickets-mcp", "args": ["--ro"],'
        ' "env": {"TICKETS_TOKEN": "tk-secret-123", "REGION": "region-eu-west-9",'
        ' "LOG_LEVEL": "debug-level"}, "autoApprove": ["list"]}}}',
        public=["LOG_LEVEL"],
    )
    agent = Agent(
        name="helper",
        description="Reviews changes",
        prompt="roles/code-reviewer.md",
        resources=["roles/*.md", "tools/git.md"],
        mcpServers=["tickets", "git"],
        tools=["fs_read", "execute_bash", "@tickets", "@git/git_status", "use_aws"],
        allowedTools=["fs_read"],
    )
    AgentStore(lib).save(agent, new=True)


def test_q_cli_export_is_valid_against_the_schema(starter: Library, tmp_path: Path) -> None:
    make_agent(starter)
    written = export_agent(starter.home, "helper", "q-cli", None, force=False)
    path = Path(written[0].path)
    assert path == tmp_path / "user" / ".aws" / "amazonq" / "cli-agents" / "helper.json"
    data = json.loads(path.read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert data["name"] == "helper"
    assert all(r.startswith("file:///") for r in data["resources"])
    assert all(Path(r.removeprefix("file://")).is_file() for r in data["resources"])
    assert data["mcpServers"]["tickets"]["env"] == {
        "TICKETS_TOKEN": "tk-secret-123",
        "REGION": "region-eu-west-9",
        "LOG_LEVEL": "debug-level",
    }
    assert data["mcpServers"]["tickets"]["autoApprove"] == ["list"]
    assert "description" not in data["mcpServers"]["git"]
    assert path.stat().st_mode & 0o777 == 0o600


def test_every_env_value_is_encrypted_at_rest_unless_public(starter: Library) -> None:
    make_agent(starter)
    stored = (starter.home / "mcp.json").read_text() + (starter.home / "secrets.json").read_text()
    assert "tk-secret-123" not in stored and "region-eu-west-9" not in stored
    env = json.loads((starter.home / "mcp.json").read_text())["tickets"]["env"]
    assert env == {
        "TICKETS_TOKEN": "${secret:tickets.TICKETS_TOKEN}",
        "REGION": "${secret:tickets.REGION}",
        "LOG_LEVEL": "debug-level",
    }
    assert (starter.home / "mcp.json").stat().st_mode & 0o777 == 0o600


def test_headers_are_encrypted_and_references_are_left_alone(starter: Library) -> None:
    McpCatalog(starter.home).add(
        '{"remote": {"type": "http", "url": "https://mcp.example.org",'
        ' "headers": {"Authorization": "Bearer abc-123-secret"},'
        ' "env": {"FROM_ENV": "${MY_TOKEN}", "EMPTY": ""}}}'
    )
    entry = McpCatalog(starter.home).get("remote")
    assert entry["headers"] == {"Authorization": "${secret:remote.headers.Authorization}"}
    assert entry["env"] == {"FROM_ENV": "${MY_TOKEN}", "EMPTY": ""}
    assert "abc-123-secret" not in (starter.home / "secrets.json").read_text()


def test_claude_code_and_cursor_files_parse_back(starter: Library, tmp_path: Path) -> None:
    make_agent(starter)
    project = tmp_path / "project"
    project.mkdir()
    export_agent(starter.home, "helper", "claude-code", project, force=False)
    export_agent(starter.home, "helper", "cursor", project, force=False)
    md = (project / ".claude" / "agents" / "helper.md").read_text()
    front, body = md.removeprefix("---\n").split("---\n", 1)
    meta = yaml.safe_load(front)
    assert meta == {
        "name": "helper",
        "description": "Reviews changes",
        "tools": "Read, Glob, Grep, Bash, mcp__tickets, mcp__git__git_status",
    }
    assert "Role: code reviewer" in body and "Tool: git" in body
    servers = json.loads((project / ".mcp.json").read_text())["mcpServers"]
    assert servers["git"]["command"] == "uvx"
    assert servers["tickets"]["env"]["TICKETS_TOKEN"] == "${TICKETS_TOKEN}"
    mdc = (project / ".cursor" / "rules" / "helper.mdc").read_text()
    assert yaml.safe_load(mdc.removeprefix("---\n").split("---\n", 1)[0]) == {
        "description": "Reviews changes",
        "globs": "",
        "alwaysApply": False,
    }
    cursor_env = json.loads((project / ".cursor" / "mcp.json").read_text())["mcpServers"]
    assert cursor_env["tickets"]["env"]["REGION"] == "${env:REGION}"


def test_claude_code_reports_tools_it_has_not_and_always_has_a_description(
    starter: Library,
) -> None:
    make_agent(starter)
    AgentStore(starter).save(Agent(name="bare", tools=["*"]), new=True)
    [written] = export_agent(starter.home, "helper", "claude-code", None, force=False)
    assert written.warnings == [
        "Claude Code has no tool like Q CLI's 'use_aws': the subagent goes without it."
    ]
    [bare] = export_agent(starter.home, "bare", "claude-code", None, force=False)
    meta = yaml.safe_load(Path(bare.path).read_text().removeprefix("---\n").split("---\n")[0])
    assert meta == {"name": "bare", "description": "The bare agent, from ai-config."}


def test_a_hand_edited_export_is_not_overwritten_without_force(starter: Library) -> None:
    make_agent(starter)
    path = Path(export_agent(starter.home, "helper", "q-cli", None, force=False)[0].path)
    path.write_text(path.read_text().replace("Reviews changes", "My own words"))
    starter.edit("tools/git.md", open_editor=False)
    (starter.personal_dir / "tools/git.md").write_text("# Git, my way\n")
    assert [(e.path, e.state) for e in stale_exports(starter.home)] == [(str(path), "edited")]
    with pytest.raises(ToolError) as refused:
        export_agent(starter.home, "helper", "q-cli", None, force=False)
    assert refused.value.code == "AI_CONFIG_EXPORT_EDITED"
    assert "My own words" in path.read_text()
    export_agent(starter.home, "helper", "q-cli", None, force=True)
    assert "Git, my way" in Path(json.loads(path.read_text())["resources"][-1][7:]).read_text()
    assert stale_exports(starter.home) == []


@pytest.mark.parametrize(
    ("pasted", "name"),
    [
        ('{"mcpServers": {"a": {"command": "x"}}}', None),
        ('{"a": {"command": "x", "unknownField": 1}}', None),
        ('{"command": "x", "args": ["y"]}', "a"),
        ('{"name": "a", "command": "x", "args": ["y"]}', None),
    ],
)
def test_the_pasted_shapes_are_accepted(starter: Library, pasted: str, name: str | None) -> None:
    assert McpCatalog(starter.home).add(pasted, name) == ["a"]
    assert McpCatalog(starter.home).get("a")["command"] == "x"
    assert "name" not in McpCatalog(starter.home).get("a")


def test_adding_an_existing_name_is_refused_without_force(starter: Library) -> None:
    catalog = McpCatalog(starter.home)
    catalog.add('{"mine": {"command": "one"}}')
    for taken in ("mine", "git"):
        with pytest.raises(ToolError) as refused:
            McpCatalog(starter.home).add(f'{{"{taken}": {{"command": "two"}}}}')
        assert refused.value.code == "AI_CONFIG_MCP_EXISTS"
    McpCatalog(starter.home).add('{"git": {"command": "my-git"}}', force=True)
    assert McpCatalog(starter.home).server("git").origin == "user"
    assert McpCatalog(starter.home).get("mine")["command"] == "one"


def test_importing_a_q_cli_agent(starter: Library, tmp_path: Path) -> None:
    source = tmp_path / "dev.json"
    source.write_text(
        json.dumps(
            {
                "name": "dev",
                "description": "from Q",
                "mcpServers": {"git": {"command": "uvx", "args": ["mcp-server-git"]}},
                "resources": [f"file://{starter.base_dir}/tools/git.md"],
                "allowedTools": ["fs_read"],
            }
        )
    )
    agent = AgentStore(starter).import_q_cli(source)
    assert agent.resources == ["tools/git.md"]
    assert AgentStore(starter).get("dev").description == "from Q"
