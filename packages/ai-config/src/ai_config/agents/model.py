"""An agent as the user writes it (YAML in the library's ``agents/`` folder)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Agent"]


class Agent(BaseModel):
    """Unknown fields are kept: they may be Q CLI fields a newer release added."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    description: str = ""
    prompt: str = Field(default="", description="Inline text, or the path of a library file")
    resources: list[str] = Field(default_factory=list, description="Library paths or globs")
    mcp_servers: list[str | dict[str, Any]] = Field(default_factory=list, alias="mcpServers")
    tools: list[str] = Field(default_factory=list)
    allowed_tools: list[str] = Field(default_factory=list, alias="allowedTools")
    tool_aliases: dict[str, str] = Field(default_factory=dict, alias="toolAliases")
    tools_settings: dict[str, Any] = Field(default_factory=dict, alias="toolsSettings")
    hooks: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
