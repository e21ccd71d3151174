"""The MCP server catalog: bundled servers, the library's definitions, then yours.

Each layer overrides the one before by name: bundled (shipped with ai-config), library
(``mcp-servers/*.json`` and ``roles/*/mcp.json``, see :mod:`ai_config.mcp.library_defs`), user
(``<home>/mcp.json``, what `mcp add` and `mcp install` write). Values in ``env`` and ``headers``
are kept encrypted (:mod:`ai_config.mcp.secrets`); the catalog shows ``${secret:NAME}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field

from ai_config.mcp.secrets import SecretStore
from ai_config.mcp.shapes import entries, server_name
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["McpCatalog", "McpServer", "Origin"]

Origin = Literal["bundled", "library", "user", "registry"]


class McpServer(Result):
    """A catalog entry as the CLI shows it; secrets stay ``${secret:NAME}`` references."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    name: str
    origin: Origin
    definition: dict[str, Any] = Field(
        description="The entry as agent tools read it (command, args, env, url, ...)"
    )
    file: str | None = Field(
        default=None, description="The library file it is defined in (origin library)"
    )
    tools_settings: dict[str, Any] = Field(
        default_factory=dict,
        alias="toolsSettings",
        description="toolsSettings the library file gives with it; exports keep them",
    )
    allowed_tools: list[str] = Field(
        default_factory=list,
        alias="allowedTools",
        description="allowedTools the library file gives with it; exports keep them",
    )


class McpCatalog:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.user_file = home / "mcp.json"
        self.secrets = SecretStore(home)

    @property
    def secrets_file(self) -> Path:
        return self.secrets.file

    @cached_property
    def library(self) -> Library | None:
        from ai_config.library.store import Library

        lib = Library(self.home)
        return lib if lib.initialised else None

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

    @cached_property
    def _servers(self) -> dict[str, McpServer]:
        from ai_config.mcp.library_defs import library_servers

        found = {
            name: McpServer(name=name, origin="bundled", definition=entry)
            for name, entry in self.bundled().items()
        }
        if self.library is not None:
            found.update(library_servers(self.library))
        found.update(
            {
                name: McpServer(name=name, origin="user", definition=entry)
                for name, entry in self.user().items()
            }
        )
        return found

    def servers(self) -> list[McpServer]:
        return [self._servers[name] for name in sorted(self._servers)]

    def server(self, name: str) -> McpServer:
        found = self._servers.get(name)
        if found is None:
            raise ToolError(
                "AI_CONFIG_MCP_NOT_FOUND",
                f"No MCP server named {name!r} in the catalog.",
                suggestions=[
                    "List them: ai-config mcp list (or search: ai-config mcp search WORD)",
                    "Add one: ai-config mcp add NAME --json '{...}'",
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        return found

    def get(self, name: str) -> dict[str, Any]:
        return self.server(name).definition

    def parse(self, pasted: str, name: str | None) -> dict[str, dict[str, Any]]:
        """The servers in pasted JSON, by name (any of the shapes people paste)."""
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
        return entries(data, server_name(name) if name else None)

    def add(
        self,
        pasted: str,
        name: str | None = None,
        *,
        force: bool = False,
        public: Iterable[str] = (),
    ) -> list[str]:
        """Add pasted servers to yours; an existing name is refused unless ``force``."""
        return self.put(self.parse(pasted, name), force=force, public=public)

    def put(
        self, servers: dict[str, dict[str, Any]], *, force: bool, public: Iterable[str] = ()
    ) -> list[str]:
        self.refuse_taken(servers, force=force)
        keep = list(public)
        user = self.user()
        for entry_name, entry in servers.items():
            user[entry_name] = self.secrets.protect(entry, entry_name, keep)
        atomic_write_json(self.user_file, user, private=True)
        self.__dict__.pop("_servers", None)
        return sorted(servers)

    def refuse_taken(self, names: Iterable[str], *, force: bool) -> None:
        """An error naming the servers the catalog has already, unless ``force``."""
        taken = sorted(n for n in names if n in self._servers)
        if taken and not force:
            where = ", ".join(f"{n} ({self._servers[n].origin})" for n in taken)
            raise ToolError(
                "AI_CONFIG_MCP_EXISTS",
                f"The catalog has {where} already.",
                suggestions=[
                    "Replace it (yours then wins over the bundled or library one): add --force",
                    "Or pick another name: ai-config mcp add NEW-NAME --json '{...}'",
                ],
                context={"names": taken},
                exit_code=ExitCode.CONFLICT,
            )

    def remove(self, name: str) -> McpServer:
        user = self.user()
        if name not in user:
            origin = self._servers[name].origin if name in self._servers else None
            raise ToolError(
                "AI_CONFIG_MCP_NOT_FOUND",
                f"{name!r} is not one of your MCP servers"
                + (
                    f" (it comes from the {origin} catalog, which is not yours)." if origin else "."
                ),
                suggestions=["List them: ai-config mcp list"],
                exit_code=ExitCode.NOT_FOUND,
            )
        removed = McpServer(name=name, origin="user", definition=user.pop(name))
        atomic_write_json(self.user_file, user, private=True)
        self.__dict__.pop("_servers", None)
        return removed

    def needed_secrets(self, entry: dict[str, Any]) -> list[str]:
        """The secrets an entry refers to that are not set yet."""
        from ai_config.mcp.secrets import REFERENCE

        known = set(self.secrets.names())
        wanted = {m.group(1) for m in REFERENCE.finditer(json.dumps(entry))}
        return sorted(wanted - known)
