"""An agent as the user writes it (YAML in the library's ``agents/`` folder).

The fields are Q CLI's agent fields; an agent file says only what it sets, and an export writes
only those (plus ``$schema``), so a Q CLI agent imported and exported again is the file it was.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ai_config.agents.names import AGENT_NAME

__all__ = ["Q_SCHEMA", "Agent", "is_external", "new_agent"]

Q_SCHEMA = "https://raw.githubusercontent.com/aws/amazon-q-developer-cli/refs/heads/main/schemas/agent-v1.json"


def is_external(resource: str) -> bool:
    """A ``file://`` resource outside the library (relative to the project, ``~/...``, or an
    absolute path): exported exactly as written, never matched against library files."""
    return resource.startswith("file://")


class Agent(BaseModel):
    """Unknown fields are kept: they may be Q CLI fields a newer release added."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    schema_url: str | None = Field(
        default=Q_SCHEMA, alias="$schema", description="null: the export writes no $schema"
    )
    name: str = Field(pattern=AGENT_NAME)
    description: str | None = None
    prompt: str | None = Field(default=None, description="Inline text, or a library .md path")
    resources: list[str] = Field(
        default_factory=list,
        description="Library paths or globs; file:// resources outside the library as written",
    )
    mcp_servers: list[str | dict[str, Any]] = Field(default_factory=list, alias="mcpServers")
    tools: list[str] = Field(default_factory=list)
    allowed_tools: list[str] = Field(default_factory=list, alias="allowedTools")
    tool_aliases: dict[str, str] = Field(default_factory=dict, alias="toolAliases")
    tools_settings: dict[str, Any] = Field(default_factory=dict, alias="toolsSettings")
    hooks: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


def new_agent(
    name: str,
    *,
    description: str = "",
    prompt: str = "",
    resources: list[str] | None = None,
    mcp_servers: list[str] | None = None,
    allowed_tools: list[str] | None = None,
) -> Agent:
    """An agent as `agent create` (and the TUI's form) makes one: only the fields given, and
    every tool."""
    given = {
        "description": description or None,
        "prompt": prompt or None,
        "resources": resources,
        "mcpServers": mcp_servers,
        "allowedTools": allowed_tools,
    }
    return Agent.model_validate(
        {"name": name, **{k: v for k, v in given.items() if v}, "tools": ["*"]}
    )
