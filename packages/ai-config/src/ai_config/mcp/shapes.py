"""The shapes people paste MCP server definitions in, read into ``{name: entry}``.

``{"mcpServers": {name: {...}}}``; ``{name: {...}, ...}``; a bare entry (``command`` or ``url``)
with the name given separately or inside it (``{"name": "git", "command": ...}``, as the
original's ``mcp-servers/*.json`` have it). Fields ai-config does not know (autoApprove, ...)
are kept: the tools that read them do.
"""

from __future__ import annotations

import re
from typing import Any

from groundwork.errors import ExitCode, ToolError

__all__ = ["NAME", "entries", "server_name"]

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def server_name(raw: str) -> str:
    if not NAME.match(raw):
        raise ToolError(
            "AI_CONFIG_MCP_NAME_INVALID",
            f"{raw!r} is not a valid MCP server name.",
            suggestions=["Use letters, digits, '.', '_' and '-' (at most 64)."],
            context={"name": raw},
            exit_code=ExitCode.USAGE,
        )
    return raw


def entries(data: Any, name: str | None, *, source: str = "the JSON") -> dict[str, dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("mcpServers"), dict):
        found = dict(data["mcpServers"])
    elif isinstance(data, dict) and ("command" in data or "url" in data):
        inside = data.get("name")
        chosen = name or (inside if isinstance(inside, str) else None)
        if not chosen:
            raise ToolError(
                "AI_CONFIG_MCP_NAME_REQUIRED",
                f"{source} is a bare MCP entry without a name.",
                suggestions=[
                    "Give one: ai-config mcp add NAME --json '{...}', or put \"name\" inside."
                ],
                exit_code=ExitCode.USAGE,
            )
        found = {chosen: {k: v for k, v in data.items() if k != "name"}}
    elif isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        found = dict(data)
    else:
        raise ToolError(
            "AI_CONFIG_MCP_INVALID",
            f"{source} is not an MCP server definition.",
            suggestions=[
                'Use {"mcpServers": {"name": {"command": ...}}}, {"name": {...}} or a bare'
                ' {"name": ..., "command": ..., "args": [...]}.'
            ],
            exit_code=ExitCode.USAGE,
        )
    for entry_name, entry in found.items():
        server_name(entry_name)
        if not isinstance(entry, dict):
            raise ToolError(
                "AI_CONFIG_MCP_INVALID",
                f"The MCP server {entry_name!r} in {source} is not an object.",
                suggestions=['Each server is an object: {"command": ..., "args": [...]}.'],
                exit_code=ExitCode.USAGE,
            )
    return found
