"""Files several agents share, each owning its own part.

- A whole file (``.claude/agents/NAME.md``): the agent owns all of it.
- A marked section of a markdown file (``AGENTS.md``): ``<!-- ai-config:begin NAME -->`` to
  ``<!-- ai-config:end NAME -->``; text outside every section is the user's and stays.
- Keys of ``mcpServers`` in a JSON file (``.mcp.json``, ``.cursor/mcp.json``,
  ``.kiro/settings/mcp.json``): each agent owns the servers it exported; other keys, and other
  top-level fields, stay as they are.

Each function takes the file's current text (``""`` when there is none) and is pure, so an
export can plan every agent's change to a shared file before writing any.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from groundwork.errors import ExitCode, ToolError

__all__ = [
    "Output",
    "Part",
    "all_servers",
    "canonical",
    "part_on_disk",
    "read_text",
    "section_of",
    "servers_of",
    "with_section",
    "with_servers",
    "without_section",
]


Part = Literal["file", "section", "keys"]


@dataclass(frozen=True)
class Output:
    """What one agent's export puts in one file: the whole of it, its section, or its servers.

    ``text`` is the part itself (for ``keys``, :func:`canonical` of ``servers``), which is
    what records hash; ``private`` files are written 0600 (they may hold secrets).
    """

    path: Path
    text: str
    part: Part = "file"
    servers: dict[str, Any] = field(default_factory=dict)
    private: bool = False
    warnings: tuple[str, ...] = ()


def canonical(servers: dict[str, Any]) -> str:
    """One text per set of server definitions, whatever their key order: what records hash."""
    return json.dumps(servers, sort_keys=True, separators=(",", ":"))


def _markers(agent: str) -> tuple[str, str]:
    return f"<!-- ai-config:begin {agent} -->\n", f"<!-- ai-config:end {agent} -->\n"


def _span(text: str, agent: str) -> tuple[int, int] | None:
    begin, end = _markers(agent)
    start = text.find(begin)
    if start < 0:
        return None
    stop = text.find(end, start)
    if stop < 0:
        return None
    return start, stop + len(end)


def section_of(text: str, agent: str) -> str | None:
    """The body of ``agent``'s section (between its markers), or None if it has none."""
    span = _span(text, agent)
    if span is None:
        return None
    begin, end = _markers(agent)
    return text[span[0] + len(begin) : span[1] - len(end)]


def with_section(text: str, agent: str, body: str) -> str:
    begin, end = _markers(agent)
    block = begin + body + ("" if body.endswith("\n") else "\n") + end
    span = _span(text, agent)
    if span is not None:
        return text[: span[0]] + block + text[span[1] :]
    if not text:
        return block
    return text + ("\n" if text.endswith("\n") else "\n\n") + block


def without_section(text: str, agent: str) -> str:
    span = _span(text, agent)
    if span is None:
        return text
    rest = text[: span[0]] + text[span[1] :]
    return re.sub(r"\n{3,}", "\n\n", rest).strip("\n") + ("\n" if rest.strip() else "")


def _document(text: str, path: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError(
            "AI_CONFIG_EXPORT_FILE_INVALID",
            f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}), so ai-config cannot add"
            " its servers beside yours.",
            suggestions=[f"Fix the JSON in {path}, then export again."],
            context={"file": path},
            exit_code=ExitCode.CONFLICT,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        raise ToolError(
            "AI_CONFIG_EXPORT_FILE_INVALID",
            f'{path} is not an MCP configuration ({{"mcpServers": {{...}}}}).',
            suggestions=[f"Fix or move {path}, then export again."],
            context={"file": path},
            exit_code=ExitCode.CONFLICT,
        )
    return data


def servers_of(text: str, names: Iterable[str], path: str) -> dict[str, Any] | None:
    """These servers as the file has them; None if any of them is missing."""
    current = _document(text, path).get("mcpServers", {})
    wanted = list(names)
    if any(name not in current for name in wanted):
        return None
    return {name: current[name] for name in wanted}


def all_servers(text: str, path: str) -> dict[str, Any]:
    servers: dict[str, Any] = _document(text, path).get("mcpServers", {})
    return servers


def with_servers(text: str, path: str, add: dict[str, Any], drop: Iterable[str]) -> str:
    data = _document(text, path)
    servers = dict(data.get("mcpServers", {}))
    for name in drop:
        servers.pop(name, None)
    servers.update(add)
    data["mcpServers"] = servers
    return json.dumps(data, indent=2) + "\n"


def read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except (FileNotFoundError, IsADirectoryError):
        return None


def part_on_disk(output: Output, agent: str, text: str | None) -> str | None:
    """This agent's part of the file as it is now (None: the file or the part is missing)."""
    if text is None:
        return None
    if output.part == "file":
        return text
    if output.part == "section":
        return section_of(text, agent)
    found = servers_of(text, output.servers, str(output.path))
    return canonical(found) if found is not None else None
