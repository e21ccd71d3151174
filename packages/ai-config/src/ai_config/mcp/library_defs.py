"""MCP definitions kept in the library, as the original's libraries have them.

- ``mcp-servers/NAME.json``: one server, a bare entry with its ``name`` inside (or any shape
  `mcp add` takes);
- ``roles/ROLE/mcp.json``: ``{"mcpServers": {...}, "toolsSettings": {...}, "allowedTools": [...]}``
  - the role's servers, and the tool settings and trusted tools that go with them.

They layer like any library file (your personal copy of a path wins over the base's); then
``roles/*`` come first and ``mcp-servers/*`` override a server of the same name. Only these paths
are looked at, so reading them costs a few globs, not a scan of the library.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ai_config.mcp.shapes import entries
from groundwork.errors import ExitCode, ToolError

if TYPE_CHECKING:
    from ai_config.library.store import Library
    from ai_config.mcp.catalog import McpServer

__all__ = ["library_servers"]

PATTERNS = ("roles/*/mcp.json", "mcp-servers/*.json")


def _definition_files(lib: Library) -> list[tuple[str, Path]]:
    found = {rel: path for pattern in PATTERNS for rel, path in lib.glob(pattern).items()}
    order = {pattern.split("/")[0]: n for n, pattern in enumerate(PATTERNS)}
    return sorted(found.items(), key=lambda item: (order[item[0].split("/")[0]], item[0]))


def library_servers(lib: Library) -> dict[str, McpServer]:
    from ai_config.mcp.catalog import McpServer

    servers: dict[str, McpServer] = {}
    for rel, path in _definition_files(lib):
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ToolError(
                "AI_CONFIG_MCP_DEFINITION_INVALID",
                f"The library's MCP definition {rel} is not valid JSON: {exc}.",
                suggestions=[f"Fix it: ai-config library edit {rel}"],
                context={"file": rel},
                exit_code=ExitCode.USAGE,
            ) from None
        settings = data.get("toolsSettings", {}) if isinstance(data, dict) else {}
        allowed = data.get("allowedTools", []) if isinstance(data, dict) else []
        fallback = Path(rel).stem if rel.startswith("mcp-servers/") else None
        for name, entry in entries(data, fallback, source=rel).items():
            servers[name] = McpServer(
                name=name,
                origin="library",
                definition=entry,
                file=rel,
                toolsSettings=settings if isinstance(settings, dict) else {},
                allowedTools=[str(t) for t in allowed] if isinstance(allowed, list) else [],
            )
    return servers
