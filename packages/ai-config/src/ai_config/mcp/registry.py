"""An MCP registry (the official one's API, ``GET /v0/servers?search=``), when one is configured.

``AI_CONFIG_MCP_REGISTRY`` (or ``--registry URL``) names it. A registry that cannot be reached is
not an error for `search` and `browse`: they answer from the bundled catalog and the library and
say the registry was unreachable. Read with urllib: one GET needs no HTTP client library.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from ai_config.mcp.shapes import NAME

if TYPE_CHECKING:
    from ai_config.mcp.catalog import McpServer

__all__ = ["REGISTRY_VAR", "RegistryUnavailable", "registry_servers", "registry_url"]

REGISTRY_VAR = "AI_CONFIG_MCP_REGISTRY"
TIMEOUT_SECONDS = 5.0


class RegistryUnavailable(Exception):
    """The registry could not be read; the message says why."""


def registry_url(given: str | None) -> str | None:
    return given or os.environ.get(REGISTRY_VAR) or None


def registry_servers(url: str, query: str | None) -> list[McpServer]:
    params = {"limit": "100", **({"search": query} if query else {})}
    address = f"{url.rstrip('/')}/v0/servers?{urllib.parse.urlencode(params)}"
    if not address.startswith(("http://", "https://")):
        raise RegistryUnavailable(f"{url} is not an http(s) URL")
    # http(s) only, checked above: the scheme audit's concern (file:, ftp:) cannot arise.
    request = urllib.request.Request(address, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310
            data = json.loads(reply.read(5 * 1024 * 1024))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise RegistryUnavailable(f"{url}: {exc}") from None
    items = data.get("servers", []) if isinstance(data, dict) else []
    found = [_server(item) for item in items if isinstance(item, dict)]
    return [server for server in found if server is not None]


def _pick(item: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


def _server(item: dict[str, Any]) -> McpServer | None:
    """One registry entry as a catalog entry: its first package run the usual way (npx, uvx,
    docker), else its first remote; secret variables become ``${secret:NAME}``."""
    from ai_config.mcp.catalog import McpServer

    server = item.get("server", item)
    name = str(server.get("name", "")).rsplit("/", 1)[-1]
    if not NAME.match(name):
        return None
    definition: dict[str, Any] = {}
    packages = server.get("packages") or []
    remotes = server.get("remotes") or []
    if packages and isinstance(packages[0], dict):
        package = packages[0]
        kind = _pick(package, "registryType", "registry_type", "registry_name")
        ident = str(_pick(package, "identifier", "name") or "")
        version = package.get("version")
        pinned = f"{ident}@{version}" if version and kind == "npm" else ident
        command, args = {
            "npm": ("npx", ["-y", pinned]),
            "pypi": ("uvx", [f"{ident}=={version}" if version else ident]),
            "oci": ("docker", ["run", "-i", "--rm", ident]),
        }.get(str(kind), (ident, []))
        definition = {"command": command, "args": args}
        variables = _pick(package, "environmentVariables", "environment_variables") or []
        env = {
            str(v["name"]): f"${{secret:{v['name']}}}"
            if _pick(v, "isSecret", "is_secret")
            else str(v.get("default", ""))
            for v in variables
            if isinstance(v, dict) and "name" in v
        }
        if env:
            definition["env"] = env
    elif remotes and isinstance(remotes[0], dict):
        remote = remotes[0]
        definition = {"type": "http", "url": str(remote.get("url", ""))}
        headers = {
            str(h["name"]): f"${{secret:{h['name']}}}"
            for h in remote.get("headers") or []
            if isinstance(h, dict) and "name" in h
        }
        if headers:
            definition["headers"] = headers
    else:
        return None
    if server.get("description"):
        definition["description"] = str(server["description"])
    return McpServer(name=name, origin="registry", definition=definition)
