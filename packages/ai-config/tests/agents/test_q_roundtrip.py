"""Real Q CLI agent files: imported and exported again, they are the same JSON, valid against the
schema; their secrets never reach the personal library's git history."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ai_config.agents.store import AgentStore
from ai_config.exports.names import ExportTarget
from ai_config.exports.service import Exporter
from ai_config.library.store import Library
from groundwork.errors import ToolError

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "q-cli-agent.schema.json").read_text()
)
Q_SCHEMA = "https://raw.githubusercontent.com/aws/amazon-q-developer-cli/refs/heads/main/schemas/agent-v1.json"
TOKEN = "ghp_roundTripToken0123456789"

Q_DEFAULT = {  # Q CLI's own default agent, as `q agent` writes it
    "$schema": Q_SCHEMA,
    "name": "q_cli_default",
    "description": "Default agent",
    "prompt": None,
    "mcpServers": {},
    "tools": ["*"],
    "toolAliases": {},
    "allowedTools": ["fs_read"],
    "resources": ["file://AmazonQ.md", "file://README.md", "file://.amazonq/rules/**/*.md"],
    "hooks": {},
    "toolsSettings": {},
    "useLegacyMcpJson": True,
}


def full_agent(outside: Path) -> dict[str, Any]:
    return {
        "$schema": Q_SCHEMA,
        "name": "aws-rust-agent",
        "description": "AWS and Rust work",
        "prompt": "You are careful with infrastructure.",
        "mcpServers": {
            "github": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": TOKEN, "GITHUB_HOST": "github.example.org"},
                "timeout": 60000,
                "disabled": False,
            }
        },
        "tools": ["fs_read", "fs_write", "execute_bash", "use_aws", "@github"],
        "toolAliases": {"@github/get_issue": "issue"},
        "allowedTools": ["fs_read", "@github/get_issue"],
        "toolsSettings": {"fs_write": {"allowedPaths": ["src/**"]}},
        "resources": [
            "file://~/.aws/amazonq/rules/**/*.md",
            f"file://{outside}",
            "file://docs/**/*.md",
        ],
        "hooks": {"agentSpawn": [{"command": "git status", "timeout_ms": 5000}]},
        "useLegacyMcpJson": False,
    }


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    lib = Library(tmp_path / "home")
    lib.init(None, None)
    return lib


def round_trip(lib: Library, tmp_path: Path, original: dict[str, Any], target: str) -> Any:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(original, indent=2))
    jsonschema.validate(original, SCHEMA)
    agent = AgentStore(lib).import_q_cli(source)
    [written, *_] = Exporter(lib.home).export(agent.name, ExportTarget(target), None, force=False)
    exported = json.loads(Path(written.path).read_text())
    jsonschema.validate(exported, SCHEMA)
    return exported


@pytest.mark.parametrize("target", ["q-cli", "kiro"])
def test_qs_default_agent_comes_back_as_it_was(
    starter: Library, tmp_path: Path, target: str
) -> None:
    assert round_trip(starter, tmp_path, Q_DEFAULT, target) == Q_DEFAULT


def test_an_agent_with_servers_hooks_and_outside_resources_comes_back_as_it_was(
    starter: Library, tmp_path: Path
) -> None:
    outside = tmp_path / "team-rules.md"
    outside.write_text("# Team rules\n")
    original = full_agent(outside)
    assert round_trip(starter, tmp_path, copy.deepcopy(original), "q-cli") == original


def test_an_agent_without_schema_stays_without_one(starter: Library, tmp_path: Path) -> None:
    original = {"name": "plain", "prompt": None, "resources": ["file://README.md"]}
    assert round_trip(starter, tmp_path, original, "q-cli") == original


def test_a_library_resource_follows_the_users_override(starter: Library, tmp_path: Path) -> None:
    base_file = starter.base_dir / "tools" / "git.md"
    original = {"name": "dev", "resources": [f"file://{base_file}"]}
    assert round_trip(starter, tmp_path, original, "q-cli") == original
    assert AgentStore(starter).get("dev").resources == ["tools/git.md"]
    starter.edit("tools/git.md", open_editor=False)
    exported = Exporter(starter.home).outputs("dev", ExportTarget.Q_CLI, None)[0].text
    assert json.loads(exported)["resources"] == [
        f"file://{(starter.personal_dir / 'tools' / 'git.md').resolve()}"
    ]


def test_an_imported_token_is_encrypted_and_never_committed(
    starter: Library, tmp_path: Path
) -> None:
    outside = tmp_path / "team-rules.md"
    outside.write_text("# Team rules\n")
    round_trip(starter, tmp_path, full_agent(outside), "q-cli")
    history = subprocess.run(
        ["git", "log", "-p", "--all"], cwd=starter.personal_dir, capture_output=True, text=True
    ).stdout
    assert "aws-rust-agent" in history
    assert TOKEN not in history
    assert "${secret:agent.aws-rust-agent.github.GITHUB_PERSONAL_ACCESS_TOKEN}" in history
    for path in starter.home.rglob("*"):
        if path.is_file() and "backups" not in path.parts:
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_project_export_of_an_imported_agent_refers_to_the_environment(
    starter: Library, tmp_path: Path
) -> None:
    outside = tmp_path / "team-rules.md"
    outside.write_text("# Team rules\n")
    round_trip(starter, tmp_path, full_agent(outside), "q-cli")
    project = tmp_path / "project"
    exporter = Exporter(starter.home)
    [written] = exporter.export("aws-rust-agent", ExportTarget.Q_CLI, project, force=False)
    server = json.loads(Path(written.path).read_text())["mcpServers"]["github"]
    # Left out, so the server inherits them from the environment `q` runs in.
    assert server.get("env", {}) == {}
    assert exporter.environment == {"GITHUB_PERSONAL_ACCESS_TOKEN", "GITHUB_HOST"}


@pytest.mark.parametrize("name", ["../../x", "a/b", "has space", ".hidden"])
def test_a_name_that_is_a_path_is_a_usage_error(
    starter: Library, tmp_path: Path, name: str
) -> None:
    source = tmp_path / "evil.json"
    source.write_text(json.dumps({"name": name}))
    with pytest.raises(ToolError) as refused:
        AgentStore(starter).import_q_cli(source)
    assert refused.value.code == "AI_CONFIG_AGENT_NAME_INVALID"
    assert refused.value.exit_code == 2
    agent = AgentStore(starter).import_q_cli(source, "renamed")
    assert agent.name == "renamed"
    assert not (tmp_path / "x.yaml").exists()


def test_a_prompt_that_is_a_uri_is_kept_as_written(starter: Library, tmp_path: Path) -> None:
    original = {"name": "uri", "prompt": "file://./prompts/reviewer.md", "tools": ["fs_read"]}
    assert round_trip(starter, tmp_path, original, "q-cli") == original
