"""What each agent tool reads, and where: one function per target, from a resolved agent.

Global destinations by default; with ``dest`` the project-local ones (a repository's folder).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ai_config.agents.store import ResolvedAgent
from ai_config.exports.names import ExportTarget
from ai_config.exports.writer import Output

__all__ = ["TARGETS", "render"]

Q_SCHEMA = "https://raw.githubusercontent.com/aws/amazon-q-developer-cli/refs/heads/main/schemas/agent-v1.json"


def _q_json(agent: ResolvedAgent, mcp: dict[str, Any]) -> str:
    a = agent.agent
    data: dict[str, Any] = {
        "$schema": Q_SCHEMA,
        "name": a.name,
        "description": a.description or None,
        "prompt": agent.prompt or None,
        "mcpServers": mcp,
        "tools": a.tools,
        "toolAliases": a.tool_aliases,
        "allowedTools": sorted(set(a.allowed_tools)),
        "resources": [f"file://{f.location.resolve()}" for f in agent.resources],
        "hooks": a.hooks,
        "toolsSettings": a.tools_settings,
    }
    return json.dumps(data, indent=2) + "\n"


def _context(agent: ResolvedAgent) -> str:
    parts = [agent.prompt.strip()] if agent.prompt.strip() else []
    for file in agent.resources:
        parts.append(f"<!-- {file.path} -->\n" + file.location.read_text(encoding="utf-8").strip())
    return "\n\n".join(parts) + "\n"


def _front_matter(fields: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n\n"


def q_cli(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    root = (dest / ".amazonq" if dest else Path.home() / ".aws" / "amazonq") / "cli-agents"
    return [Output(root / f"{agent.agent.name}.json", _q_json(agent, mcp))]


def kiro(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    root = (dest or Path.home()) / ".kiro" / "agents"
    return [Output(root / f"{agent.agent.name}.json", _q_json(agent, mcp))]


def claude_code(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    """A subagent file, plus the project's .mcp.json when exporting into a project."""
    root = (dest or Path.home()) / ".claude" / "agents"
    fields: dict[str, Any] = {"name": agent.agent.name, "description": agent.agent.description}
    if agent.agent.allowed_tools:
        fields["tools"] = ", ".join(agent.agent.allowed_tools)
    outputs = [Output(root / f"{agent.agent.name}.md", _front_matter(fields) + _context(agent))]
    if dest is not None and mcp:
        outputs.append(Output(dest / ".mcp.json", json.dumps({"mcpServers": mcp}, indent=2) + "\n"))
    return outputs


def cursor(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    root = (dest or Path.home()) / ".cursor" / "rules"
    fields = {"description": agent.agent.description, "globs": "", "alwaysApply": False}
    outputs = [Output(root / f"{agent.agent.name}.mdc", _front_matter(fields) + _context(agent))]
    if dest is not None and mcp:
        outputs.append(
            Output(dest / ".cursor" / "mcp.json", json.dumps({"mcpServers": mcp}, indent=2) + "\n")
        )
    return outputs


def agents_md(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    del mcp  # AGENTS.md has no place for MCP servers
    title = f"# {agent.agent.name}\n\n" + (
        f"{agent.agent.description}\n\n" if agent.agent.description else ""
    )
    return [Output((dest or Path.cwd()) / "AGENTS.md", title + _context(agent))]


Render = Callable[[ResolvedAgent, dict[str, Any], Path | None], list[Output]]

TARGETS: dict[ExportTarget, Render] = {
    ExportTarget.Q_CLI: q_cli,
    ExportTarget.KIRO: kiro,
    ExportTarget.CLAUDE_CODE: claude_code,
    ExportTarget.CURSOR: cursor,
    ExportTarget.AGENTS_MD: agents_md,
}


def render(
    target: ExportTarget, agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None
) -> list[Output]:
    return TARGETS[target](agent, mcp, dest)
