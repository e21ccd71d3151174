"""What each agent tool reads, and where: one function per target, from a resolved agent.

Global destinations by default; with ``dest`` a project's (a repository's folder). Files several
agents share (AGENTS.md, the MCP JSON files) are written as parts each agent owns
(:mod:`ai_config.exports.parts`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ai_config.agents.store import ResolvedAgent
from ai_config.exports.claude_tools import claude_tools
from ai_config.exports.names import ExportTarget
from ai_config.exports.parts import Output, canonical
from ai_config.exports.qjson import q_agent
from ai_config.mcp.secrets import ReferenceStyle
from groundwork.errors import ExitCode, ToolError

__all__ = ["PROJECT_STYLE", "TARGETS", "render"]

PROJECT_STYLE: dict[ExportTarget, ReferenceStyle] = {
    ExportTarget.Q_CLI: "inherit",
    ExportTarget.KIRO: "dollar",
    ExportTarget.CLAUDE_CODE: "dollar",
    ExportTarget.CURSOR: "env-colon",
    ExportTarget.AGENTS_MD: "dollar",
}
"""How a project export refers to a secret: the form each tool documents expanding from the
environment (Q CLI documents none: its servers inherit the variables)."""


def _q_json(agent: ResolvedAgent, mcp: dict[str, Any]) -> str:
    return json.dumps(q_agent(agent, mcp), indent=2) + "\n"


def _context(agent: ResolvedAgent) -> str:
    prompt = (agent.prompt or "").strip()
    parts = [prompt] if prompt else []
    for file in agent.resources:
        text = file.location.read_bytes().decode("utf-8", "replace")
        parts.append(f"<!-- {file.path} -->\n" + text.strip())
    return "\n\n".join(parts) + "\n"


def _front_matter(fields: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n\n"


def _description(agent: ResolvedAgent) -> str:
    return agent.agent.description or f"The {agent.agent.name} agent, from ai-config."


def _servers(path: Path, mcp: dict[str, Any]) -> list[Output]:
    if not mcp:
        return []
    return [Output(path, canonical(mcp), "keys", mcp, private=True)]


def q_cli(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    root = (dest / ".amazonq" if dest else Path.home() / ".aws" / "amazonq") / "cli-agents"
    return [Output(root / f"{agent.agent.name}.json", _q_json(agent, mcp), private=True)]


def kiro(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    """The agent JSON (Q CLI's format), its context as a steering file, and its servers in
    Kiro's MCP settings (the workspace's, or the user's for a global export)."""
    root = (dest or Path.home()) / ".kiro"
    name = agent.agent.name
    return [
        Output(root / "agents" / f"{name}.json", _q_json(agent, mcp), private=True),
        Output(root / "steering" / f"{name}.md", _context(agent)),
        *_servers(root / "settings" / "mcp.json", mcp),
    ]


def claude_code(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    """A subagent file (tools in Claude Code's names), plus the project's .mcp.json."""
    root = (dest or Path.home()) / ".claude" / "agents"
    fields: dict[str, Any] = {"name": agent.agent.name, "description": _description(agent)}
    tools, unknown = claude_tools(agent.agent.tools)
    if tools is not None:
        fields["tools"] = ", ".join(tools)
    warnings = tuple(
        f"Claude Code has no tool like Q CLI's {tool!r}: the subagent goes without it."
        for tool in unknown
    )
    text = _front_matter(fields) + _context(agent)
    outputs = [Output(root / f"{agent.agent.name}.md", text, warnings=warnings)]
    return outputs + (_servers(dest / ".mcp.json", mcp) if dest is not None else [])


def cursor(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    if dest is None:
        raise ToolError(
            "AI_CONFIG_CURSOR_NEEDS_PROJECT",
            "Cursor reads rules from a project's .cursor/rules folder, not from a global one,"
            " so there is nowhere global to export them.",
            suggestions=[
                f"Export into each project: ai-config agent export {agent.agent.name}"
                " --target cursor --dest PROJECT",
                "For every project at once, keep the agent in AGENTS.md (--target agents-md),"
                " which Cursor reads too.",
            ],
            exit_code=ExitCode.USAGE,
        )
    fields = {"description": _description(agent), "globs": "", "alwaysApply": False}
    rule = dest / ".cursor" / "rules" / f"{agent.agent.name}.mdc"
    return [
        Output(rule, _front_matter(fields) + _context(agent)),
        *_servers(dest / ".cursor" / "mcp.json", mcp),
    ]


def agents_md(agent: ResolvedAgent, mcp: dict[str, Any], dest: Path | None) -> list[Output]:
    """The agent's own section of the project's AGENTS.md (other agents' and yours stay)."""
    del mcp  # AGENTS.md has no place for MCP servers
    if dest is None:
        raise ToolError(  # the exporter finds the project first; this is a guard
            "AI_CONFIG_AGENTS_MD_NEEDS_PROJECT",
            "AGENTS.md belongs at a project's root, and none was given.",
            suggestions=["Name it: --dest PROJECT"],
            exit_code=ExitCode.USAGE,
        )
    title = f"## {agent.agent.name}\n\n" + (
        f"{agent.agent.description}\n\n" if agent.agent.description else ""
    )
    return [Output(dest / "AGENTS.md", title + _context(agent), "section")]


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
