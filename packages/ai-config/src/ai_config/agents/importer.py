"""Importing a Q CLI agent JSON as an agent of the personal library.

What the file says is kept as it says it, so exporting it again gives the same JSON: ``"prompt":
null`` stays null, fields Q CLI added later stay, resources outside the library (``file://README.md``,
``file://~/.aws/amazonq/rules/**/*.md``, ``file:///opt/team/rules.md``) stay ``file://`` URIs.
Only two things change: a resource inside the library becomes its library path (so an override
of it is picked up), and every MCP env value and header moves into the encrypted store, leaving
a ``${secret:...}`` reference in the agent file (which the personal library commits to git).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ai_config.agents.model import Agent
from ai_config.agents.names import agent_name
from ai_config.mcp.secrets import SecretStore
from groundwork.errors import ExitCode, ToolError

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["import_q_cli"]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolError(
            "AI_CONFIG_IMPORT_NOT_FOUND",
            f"{path} does not exist.",
            suggestions=["Check the path."],
            exit_code=ExitCode.NOT_FOUND,
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ToolError(
            "AI_CONFIG_IMPORT_INVALID",
            f"{path} is not valid JSON: {exc}.",
            suggestions=["Fix the JSON, then import again."],
            exit_code=ExitCode.USAGE,
        ) from None
    if not isinstance(data, dict):
        raise ToolError(
            "AI_CONFIG_IMPORT_INVALID",
            f"{path} holds no JSON object, so it is not a Q CLI agent.",
            suggestions=['A Q CLI agent is an object: {"name": ..., "prompt": ...}.'],
            exit_code=ExitCode.USAGE,
        )
    return data


def _library_resource(lib: Library, uri: str) -> str:
    """A library path for an absolute ``file://`` URI inside the library; else the URI."""
    raw = uri.removeprefix("file://")
    if not raw.startswith("/"):
        return uri
    real = os.path.realpath(raw)
    for root in (lib.personal_dir, *reversed(lib.layers())):
        base = os.path.realpath(root)
        if real.startswith(base + os.sep):
            return Path(real).relative_to(base).as_posix()
    return uri


def import_q_cli(lib: Library, path: Path, name: str | None) -> Agent:
    data = _read(path)
    chosen = name or data.get("name") or path.stem
    agent_name(str(chosen), where=str(path) if not name else None)
    data["name"] = chosen
    if "$schema" not in data:
        data["$schema"] = None  # the export then writes none either
    servers = data.get("mcpServers")
    if isinstance(servers, dict):
        secrets = SecretStore(lib.home)
        data["mcpServers"] = [
            {server: secrets.protect(entry, f"agent.{chosen}.{server}")}
            if isinstance(entry, dict)
            else {server: entry}
            for server, entry in servers.items()
        ]
    resources = data.get("resources")
    if isinstance(resources, list):
        data["resources"] = [
            _library_resource(lib, r) if isinstance(r, str) else r for r in resources
        ]
    try:
        return Agent.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ToolError(
            "AI_CONFIG_IMPORT_INVALID",
            f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}.",
            suggestions=["Fix that field, then import again."],
            exit_code=ExitCode.USAGE,
        ) from None
