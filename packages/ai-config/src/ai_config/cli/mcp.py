"""`ai-config mcp list|show|add|remove|secret|search|browse|install`.

Every change backs up the files it touches (your catalog, the secrets) and is audited; the audit
log records secret names, never values. Views import Rich themselves: a command run for JSON
never loads it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import Field

from ai_config.home import home
from ai_config.mcp import actions
from ai_config.mcp.actions import command_line
from ai_config.mcp.catalog import McpCatalog, McpServer
from ai_config.results import Result
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

app = typer.Typer(
    help="MCP servers: a bundled catalog, the library's definitions and yours; secrets encrypted.",
    add_completion=False,
)
NameArg = Annotated[str, typer.Argument(help="MCP server name.")]
RegistryOption = Annotated[
    str | None,
    typer.Option("--registry", help="An MCP registry URL (default: $AI_CONFIG_MCP_REGISTRY)."),
]


def _catalog() -> McpCatalog:
    return McpCatalog(home())


class McpServerList(Result):
    mcp_servers: list[McpServer]
    notice: str | None = None


class McpServerResult(Result):
    mcp_server: McpServer


class InstallResult(Result):
    mcp_server: McpServer
    secrets_needed: list[str] = Field(
        description="Secrets it refers to that are not set yet: ai-config mcp secret NAME"
    )


class SecretName(Result):
    name: str


class SecretResult(Result):
    secret: SecretName


def _servers_view(result: McpServerList) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("name", "command", "from", "description"):
        table.add_column(column)
    for server in result.mcp_servers:
        table.add_row(
            server.name,
            escape(command_line(server)),
            server.origin + (f" ({escape(server.file)})" if server.file else ""),
            escape(str(server.definition.get("description", ""))),
        )
    return Group(table, *([escape(result.notice)] if result.notice else []))


def _server_view(result: McpServerResult) -> RenderableType:
    from rich.console import Group
    from rich.json import JSON

    server = result.mcp_server
    return Group(f"[bold]{server.name}[/bold] ({server.origin})", JSON.from_data(server.definition))


def _added_view(result: McpServerList) -> str:
    return "Added: " + ", ".join(server.name for server in result.mcp_servers)


def _removed_view(result: McpServerResult) -> str:
    return f"Removed {result.mcp_server.name}."


def _installed_view(result: InstallResult) -> str:
    needed = "".join(f"\n  set it: ai-config mcp secret {n}" for n in result.secrets_needed)
    return f"Installed {result.mcp_server.name} into your catalog.{needed}"


def _secret_view(result: SecretResult) -> str:
    return f"Stored secret {result.secret.name}."


@app.command("list")
@renders(_servers_view)
def list_servers(output: OutputOption = OutputFormat.TABLE) -> McpServerList:
    """List the MCP servers agents can use (secret values are never shown).

    Examples:

      ai-config mcp list
    """
    return McpServerList(mcp_servers=_catalog().servers())


@app.command("show")
@renders(_server_view)
def show(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> McpServerResult:
    """Show one MCP server definition (secrets as ${secret:NAME}).

    Examples:

      ai-config mcp show github
    """
    return McpServerResult(mcp_server=_catalog().server(name))


@app.command("add")
@renders(_added_view)
def add(
    name: Annotated[str | None, typer.Argument(help="Name, for a bare entry.")] = None,
    json_text: Annotated[str | None, typer.Option("--json", help="The JSON as pasted.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the JSON from a file.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a server of the same name.")
    ] = False,
    public: Annotated[
        list[str] | None,
        typer.Option("--public", help="An env or header key whose value is not secret."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> McpServerList:
    """Add MCP servers from pasted JSON (any usual shape; stdin if no --json or --file).

    Every env value and header is stored encrypted and replaced by ${secret:NAME}, unless
    --public names it (a log level, a region). A name the catalog has is refused without --force.

    Examples:

      ai-config mcp add --json '{"mcpServers": {"docs": {"command": "uvx", "args": ["docs-mcp"]}}}'

      ai-config mcp add --file mcp-servers/git.json

      ai-config mcp add search --file search-server.json --public LOG_LEVEL
    """
    text = json_text or (file.read_text(encoding="utf-8") if file else sys.stdin.read())
    return McpServerList(
        mcp_servers=actions.add(_catalog(), text, name, force=force, public=public or [])
    )


@app.command("remove")
@renders(_removed_view)
def remove(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> McpServerResult:
    """Remove one of your MCP servers (a backup is kept: ai-config backup list).

    Examples:

      ai-config mcp remove docs
    """
    return McpServerResult(mcp_server=actions.remove(_catalog(), name))


@app.command("secret")
@renders(_secret_view)
def secret(
    key: Annotated[str, typer.Argument(help="Secret name, as in ${secret:NAME}.")],
    value: Annotated[
        str | None,
        typer.Option(help="The value (asked for, unseen, when left out: safer than a flag)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> SecretResult:
    """Store a secret encrypted at rest (the OS keyring holds the key when there is one).

    Examples:

      ai-config mcp secret GITHUB_PERSONAL_ACCESS_TOKEN
    """
    from ai_config.mcp.secrets import secret_name

    secret_name(key)
    if value is None:
        import getpass

        value = getpass.getpass("Value: ", stream=sys.stderr)
    actions.set_secret(_catalog(), key, value)
    return SecretResult(secret=SecretName(name=key))


def _available(catalog: McpCatalog, query: str | None, registry: str | None) -> McpServerList:
    servers, notice = actions.available(catalog, query, registry)
    return McpServerList(mcp_servers=servers, notice=notice)


@app.command("search")
@renders(_servers_view)
def search(
    query: Annotated[str, typer.Argument(help="Words to look for in names and descriptions.")],
    registry: RegistryOption = None,
    output: OutputOption = OutputFormat.TABLE,
) -> McpServerList:
    """Search the bundled catalog, the library's definitions, yours and a registry.

    Examples:

      ai-config mcp search git

      AI_CONFIG_MCP_REGISTRY=https://registry.modelcontextprotocol.io ai-config mcp search postgres
    """
    return _available(_catalog(), query, registry)


@app.command("browse")
@renders(_servers_view)
def browse(
    registry: RegistryOption = None, output: OutputOption = OutputFormat.TABLE
) -> McpServerList:
    """Every server you can install: the catalog's and, when configured, the registry's.

    Examples:

      ai-config mcp browse --registry https://registry.modelcontextprotocol.io
    """
    return _available(_catalog(), None, registry)


@app.command("install")
@renders(_installed_view)
def install(
    name: NameArg,
    registry: RegistryOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace yours of that name.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> InstallResult:
    """Copy a server from the catalog or a registry into yours, to use and change as yours.

    It lists the secrets the server needs that are not set yet.

    Examples:

      ai-config mcp install github && ai-config mcp secret GITHUB_PERSONAL_ACCESS_TOKEN
    """
    installed, needed = actions.install(_catalog(), name, registry, force=force)
    return InstallResult(mcp_server=installed, secrets_needed=needed)
