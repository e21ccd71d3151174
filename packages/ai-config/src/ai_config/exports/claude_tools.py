"""Q CLI tool names in Claude Code's own names, for a subagent's ``tools`` field.

Claude Code names its tools Read, Write, Edit, Bash, Glob, Grep, WebFetch, WebSearch,
TodoWrite, ... and an MCP server's tools ``mcp__SERVER`` / ``mcp__SERVER__TOOL``. A Q CLI tool
with no Claude Code counterpart (use_aws, knowledge, ...) is left out and reported, so the user
knows the subagent will not have it.
"""

from __future__ import annotations

import fnmatch

__all__ = ["CLAUDE_TOOLS", "claude_tools"]

CLAUDE_TOOLS: dict[str, tuple[str, ...]] = {
    "fs_read": ("Read", "Glob", "Grep"),
    "fs_write": ("Write", "Edit"),
    "execute_bash": ("Bash",),
    "execute_cmd": ("Bash",),
    "web_fetch": ("WebFetch",),
    "web_search": ("WebSearch",),
    "todo_list": ("TodoWrite",),
}
_BUILTIN = tuple(dict.fromkeys(name for names in CLAUDE_TOOLS.values() for name in names))


def claude_tools(tools: list[str]) -> tuple[list[str] | None, list[str]]:
    """Claude Code tool names for Q CLI ``tools`` (None: all tools, the field left out) and
    the Q CLI names that have no counterpart."""
    if not tools or "*" in tools:
        return None, []
    found: list[str] = []
    unknown: list[str] = []
    for tool in tools:
        if tool == "@builtin":
            found += _BUILTIN
        elif tool.startswith("@"):
            server, _, name = tool[1:].partition("/")
            found.append(f"mcp__{server}__{name}" if name else f"mcp__{server}")
        elif any(c in tool for c in "*?"):
            matched = [
                n for q, names in CLAUDE_TOOLS.items() if fnmatch.fnmatch(q, tool) for n in names
            ]
            if matched:
                found += matched
            else:
                unknown.append(tool)
        elif tool in CLAUDE_TOOLS:
            found += CLAUDE_TOOLS[tool]
        else:
            unknown.append(tool)
    return list(dict.fromkeys(found)), unknown
