"""A resolved agent as a Q CLI (and Kiro) agent JSON document.

Only the fields the agent sets are written (and ``$schema`` unless the agent says null), so an
imported Q CLI agent exports as the file it was. Library resources become absolute ``file://``
URIs of the effective files; ``file://`` resources outside the library are written as they are.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ai_config.agents.model import is_external
from ai_config.agents.store import ResolvedAgent

__all__ = ["q_agent"]

_ALIASES = {
    "description": "description",
    "prompt": "prompt",
    "resources": "resources",
    "mcp_servers": "mcpServers",
    "tools": "tools",
    "allowed_tools": "allowedTools",
    "tool_aliases": "toolAliases",
    "tools_settings": "toolsSettings",
    "hooks": "hooks",
}


def _resources(agent: ResolvedAgent) -> list[str]:
    uris: list[str] = []
    for pattern in agent.agent.resources:
        if is_external(pattern):
            uris.append(pattern)
            continue
        for file in agent.resources:
            uri = f"file://{file.location.resolve()}"
            if fnmatch.fnmatch(file.path, pattern) and uri not in uris:
                uris.append(uri)
    return uris


def q_agent(agent: ResolvedAgent, mcp: dict[str, Any]) -> dict[str, Any]:
    a = agent.agent
    data: dict[str, Any] = {}
    if a.schema_url is not None:
        data["$schema"] = a.schema_url
    data["name"] = a.name
    chosen = a.model_fields_set
    values: dict[str, Any] = {
        "description": a.description,
        "prompt": agent.prompt,
        "resources": _resources(agent),
        "mcp_servers": mcp,
        "tools": a.tools,
        "allowed_tools": list(dict.fromkeys([*a.allowed_tools, *agent.allowed_tools])),
        "tool_aliases": a.tool_aliases,
        "tools_settings": {**agent.tools_settings, **a.tools_settings},
        "hooks": a.hooks,
    }
    added = {
        "mcp_servers": bool(mcp),
        "allowed_tools": bool(agent.allowed_tools),
        "tools_settings": bool(agent.tools_settings),
    }
    for field, key in _ALIASES.items():
        if field in chosen or added.get(field, False):
            data[key] = values[field]
    data.update(a.model_extra or {})
    return data
