"""The MCP catalog: the library's definitions layered like files, their tool settings kept
into exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ai_config.agents.model import Agent
from ai_config.agents.store import AgentStore
from ai_config.exports.names import ExportTarget
from ai_config.exports.service import Exporter
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog

ROLE = {
    "mcpServers": {"jira": {"command": "jira-mcp", "args": ["--cloud"]}},
    "toolsSettings": {
        "@jira/search": {"maxResults": 20},
        "fs_write": {"allowedPaths": ["docs/**"]},
    },
    "allowedTools": ["@jira/search", "@other/tool", "fs_read"],
}


@pytest.fixture
def team(
    upstream: Any, library: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Library:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    upstream.push(
        {
            "mcp-servers/git.json": json.dumps(
                {"name": "git", "command": "team-git", "args": ["-v"]}
            ),
            "roles/dev/mcp.json": json.dumps(ROLE),
        }
    )
    library.update()
    return library


def test_library_definitions_join_the_catalog_and_layer_like_files(team: Library) -> None:
    servers = {s.name: s for s in McpCatalog(team.home).servers()}
    assert (servers["git"].origin, servers["git"].file) == ("library", "mcp-servers/git.json")
    assert servers["git"].definition == {"command": "team-git", "args": ["-v"]}
    assert servers["jira"].file == "roles/dev/mcp.json"
    assert servers["jira"].tools_settings == ROLE["toolsSettings"]
    assert servers["jira"].allowed_tools == ROLE["allowedTools"]
    assert servers["fetch"].origin == "bundled"

    mine = team.edit("mcp-servers/git.json", open_editor=False)
    mine.write_text(json.dumps({"name": "git", "command": "my-git"}))
    assert McpCatalog(team.home).get("git") == {"command": "my-git"}


def test_tool_settings_from_a_library_definition_reach_the_export(team: Library) -> None:
    AgentStore(team).save(
        Agent(name="dev", mcpServers=["jira"], allowedTools=["execute_bash"]), new=True
    )
    [written] = Exporter(team.home).export("dev", ExportTarget.Q_CLI, None, force=False)
    data = json.loads(Path(written.path).read_text())
    assert data["mcpServers"] == {"jira": {"command": "jira-mcp", "args": ["--cloud"]}}
    assert data["toolsSettings"] == ROLE["toolsSettings"]
    assert data["allowedTools"] == ["execute_bash", "@jira/search", "fs_read"]


def test_the_originals_bare_shape_is_added_without_a_name(team: Library, tmp_path: Path) -> None:
    pasted = tmp_path / "search.json"
    pasted.write_text(json.dumps({"name": "search", "command": "search-mcp", "env": {}}))
    assert McpCatalog(team.home).add(pasted.read_text()) == ["search"]
    assert McpCatalog(team.home).get("search") == {"command": "search-mcp", "env": {}}
