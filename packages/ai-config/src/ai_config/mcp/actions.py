"""What `ai-config mcp` and the TUI's MCP catalog both do: browse and search (the catalog and a
registry), add, install, set a secret; each change backed up and audited the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ai_config.mcp.catalog import McpCatalog, McpServer
from ai_config.mcp.secrets import secret_name
from ai_config.safety import Safety
from groundwork.errors import ExitCode, ToolError

__all__ = ["add", "available", "command_line", "install", "set_secret"]


@contextmanager
def _change(catalog: McpCatalog, action: str, **details: Any) -> Iterator[None]:
    with Safety(catalog.home).change(action, [catalog.user_file, catalog.secrets_file], **details):
        yield


def command_line(server: McpServer) -> str:
    entry = server.definition
    return " ".join(
        [str(entry.get("command", entry.get("url", ""))), *map(str, entry.get("args", []))]
    )


def _matches(server: McpServer, query: str) -> bool:
    words = query.lower().split()
    text = " ".join(
        [server.name, str(server.definition.get("description", "")), command_line(server)]
    ).lower()
    return all(word in text for word in words)


def available(
    catalog: McpCatalog, query: str | None, registry: str | None
) -> tuple[list[McpServer], str | None]:
    """The catalog's servers, and the registry's when one is configured and answers; a notice
    when it does not."""
    from ai_config.mcp.registry import RegistryUnavailable, registry_servers, registry_url

    servers = {s.name: s for s in catalog.servers()}
    notice = None
    url = registry_url(registry)
    if url is not None:
        try:
            for found in registry_servers(url, query):
                servers.setdefault(found.name, found)
        except RegistryUnavailable as exc:
            notice = f"The MCP registry was not reachable ({exc}); showing the catalog only."
    chosen = [s for _, s in sorted(servers.items()) if query is None or _matches(s, query)]
    return chosen, notice


def add(
    catalog: McpCatalog, pasted: str, name: str | None, *, force: bool, public: Iterable[str]
) -> list[McpServer]:
    servers = catalog.parse(pasted, name)
    catalog.refuse_taken(servers, force=force)  # before the change: a refusal changes nothing
    with _change(catalog, "mcp add", servers=sorted(servers)):
        added = catalog.put(servers, force=force, public=list(public))
    return [catalog.server(each) for each in added]


def remove(catalog: McpCatalog, name: str) -> McpServer:
    catalog.server(name)  # a name that is not there is an error, not a change rolled back
    with _change(catalog, "mcp remove", server=name):
        return catalog.remove(name)


def set_secret(catalog: McpCatalog, key: str, value: str) -> None:
    secret_name(key)
    with _change(catalog, "mcp secret", secret=key):
        catalog.secrets.put(key, value)


def install(
    catalog: McpCatalog, name: str, registry: str | None, *, force: bool
) -> tuple[McpServer, list[str]]:
    """Copy a server into yours; it and the secrets it needs that are not set yet."""
    from ai_config.mcp.registry import registry_url

    found = next((s for s in available(catalog, None, registry)[0] if s.name == name), None)
    if found is None:
        raise ToolError(
            "AI_CONFIG_MCP_NOT_FOUND",
            f"No MCP server named {name!r} in the catalog"
            + (" or the registry." if registry_url(registry) is not None else "."),
            suggestions=["Look for it: ai-config mcp search WORD"],
            exit_code=ExitCode.NOT_FOUND,
        )
    if found.origin == "user" and not force:
        raise ToolError(
            "AI_CONFIG_MCP_EXISTS",
            f"{name} is yours already.",
            suggestions=[f"Change it: ai-config mcp add {name} --force --json '{{...}}'"],
            exit_code=ExitCode.CONFLICT,
        )
    # Copied as it is: its values were public where it came from (secret ones are references).
    keys = [k for field in ("env", "headers") for k in (found.definition.get(field) or {})]
    with _change(catalog, "mcp install", server=name, origin=found.origin):
        catalog.put({name: found.definition}, force=True, public=keys)
    installed = catalog.server(name)
    return installed, catalog.needed_secrets(installed.definition)
