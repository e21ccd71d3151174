"""MCP server definitions: bundled ones plus the user's (``<home>/mcp.json``).

`add` accepts the three shapes users paste: ``{"mcpServers": {name: {...}}}``, ``{name: {...}}``,
or a bare entry with a name given separately. Fields ai-config does not know (autoApprove, ...)
are kept, since the tools that read them do. Environment values that look secret are stored
encrypted and replaced by ``${secret:NAME}``, resolved only when an export writes them out.
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json

if TYPE_CHECKING:
    from groundwork.secrets import SecretBox

__all__ = ["McpCatalog", "McpServer"]

_SECRET_KEY = re.compile(r"(TOKEN|SECRET|PASSWORD|API_?KEY|ACCESS_KEY|CREDENTIAL)", re.IGNORECASE)
_REFERENCE = re.compile(r"\$\{secret:([A-Za-z0-9_.-]+)\}")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class McpServer(Result):
    """A catalog entry as the CLI shows it; secrets stay ``${secret:NAME}`` references."""

    name: str
    origin: Literal["bundled", "user"]
    definition: dict[str, Any] = Field(
        description="The entry as agent tools read it (command, args, env, url, ...)"
    )


class McpCatalog:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.user_file = home / "mcp.json"
        self.secrets_file = home / "secrets.json"

    @cached_property
    def box(self) -> SecretBox:
        """The encryption key's box, made when a secret is read or written (cryptography is
        slow to import, and listing servers needs none of it)."""
        from groundwork.secrets import SecretBox

        return SecretBox("ai-config", self.home / "secrets.key")

    def bundled(self) -> dict[str, dict[str, Any]]:
        text = resources.files("ai_config.mcp").joinpath("bundled.json").read_text("utf-8")
        data: dict[str, dict[str, Any]] = json.loads(text)
        return data

    def user(self) -> dict[str, dict[str, Any]]:
        try:
            data: dict[str, dict[str, Any]] = json.loads(self.user_file.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def all(self) -> dict[str, dict[str, Any]]:
        return {**self.bundled(), **self.user()}

    def servers(self) -> list[McpServer]:
        user = self.user()
        return [
            McpServer(name=name, origin="user" if name in user else "bundled", definition=entry)
            for name, entry in sorted(self.all().items())
        ]

    def server(self, name: str) -> McpServer:
        return McpServer(
            name=name,
            origin="user" if name in self.user() else "bundled",
            definition=self.get(name),
        )

    def get(self, name: str) -> dict[str, Any]:
        found = self.all().get(name)
        if found is None:
            raise ToolError(
                "AI_CONFIG_MCP_NOT_FOUND",
                f"No MCP server named {name!r} in the catalog.",
                suggestions=[
                    "List them: ai-config mcp list",
                    "Add one: ai-config mcp add NAME --json '{...}'",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def add(self, pasted: str, name: str | None = None) -> list[str]:
        try:
            data = json.loads(pasted)
        except json.JSONDecodeError as exc:
            raise ToolError(
                "AI_CONFIG_MCP_INVALID",
                f"The MCP definition is not valid JSON: line {exc.lineno},"
                f" column {exc.colno}: {exc.msg}.",
                suggestions=["Paste the JSON exactly as the server's README gives it."],
                exit_code=ExitCode.USAGE,
            ) from None
        entries = self._entries(data, name)
        user = self.user()
        for entry_name, entry in entries.items():
            if not _NAME.match(entry_name):
                raise ToolError(
                    "AI_CONFIG_MCP_NAME_INVALID",
                    f"{entry_name!r} is not a valid MCP server name.",
                    suggestions=["Use letters, digits, '.', '_' and '-'."],
                    exit_code=ExitCode.USAGE,
                )
            user[entry_name] = self._protect(entry_name, entry)
        atomic_write_json(self.user_file, user)
        return sorted(entries)

    def remove(self, name: str) -> McpServer:
        user = self.user()
        if name not in user:
            raise ToolError(
                "AI_CONFIG_MCP_NOT_FOUND",
                f"{name!r} is not one of your MCP servers"
                + (" (it is bundled, so it cannot be removed)." if name in self.bundled() else "."),
                suggestions=["List them: ai-config mcp list"],
                exit_code=ExitCode.NOT_FOUND,
            )
        removed = McpServer(name=name, origin="user", definition=user.pop(name))
        atomic_write_json(self.user_file, user)
        return removed

    def resolve(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A copy with ``${secret:NAME}`` references replaced by their values, for an export."""
        secrets = self._secrets()

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in secrets:
                raise ToolError(
                    "AI_CONFIG_SECRET_MISSING",
                    f"The secret {key!r} an MCP server needs is not set.",
                    suggestions=[f"Set it: ai-config mcp secret {key}"],
                    exit_code=ExitCode.NOT_FOUND,
                )
            return self.box.decrypt(secrets[key])

        resolved = dict(entry)
        resolved.pop("description", None)
        if isinstance(entry.get("env"), dict):
            resolved["env"] = {k: _REFERENCE.sub(fill, str(v)) for k, v in entry["env"].items()}
        return resolved

    def set_secret(self, key: str, value: str) -> None:
        secrets = self._secrets()
        secrets[key] = self.box.encrypt(value)
        atomic_write_json(self.secrets_file, secrets, private=True)

    def _protect(self, name: str, entry: dict[str, Any]) -> dict[str, Any]:
        env = entry.get("env")
        if not isinstance(env, dict):
            return entry
        protected = dict(entry)
        protected["env"] = {}
        for key, value in env.items():
            text = str(value)
            if _SECRET_KEY.search(key) and text and not _REFERENCE.fullmatch(text):
                secret_name = f"{name}.{key}"
                self.set_secret(secret_name, text)
                protected["env"][key] = f"${{secret:{secret_name}}}"
            else:
                protected["env"][key] = value
        return protected

    def _secrets(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.secrets_file.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    @staticmethod
    def _entries(data: Any, name: str | None) -> dict[str, dict[str, Any]]:
        if isinstance(data, dict) and isinstance(data.get("mcpServers"), dict):
            return dict(data["mcpServers"])
        if isinstance(data, dict) and ("command" in data or "url" in data):
            if not name:
                raise ToolError(
                    "AI_CONFIG_MCP_NAME_REQUIRED",
                    "This MCP definition is a bare entry, so it needs a name.",
                    suggestions=["Give one: ai-config mcp add NAME --json '{...}'"],
                    exit_code=ExitCode.USAGE,
                )
            return {name: data}
        if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
            return dict(data)
        raise ToolError(
            "AI_CONFIG_MCP_INVALID",
            "This JSON is not an MCP server definition.",
            suggestions=[
                'Use {"mcpServers": {"name": {"command": ...}}}, {"name": {...}} or a bare'
                ' {"command": ..., "args": [...]} with a NAME.'
            ],
            exit_code=ExitCode.USAGE,
        )
