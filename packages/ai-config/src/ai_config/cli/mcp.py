"""`ai-config mcp list|show|add|remove|secret`.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.home import home
from ai_config.mcp.catalog import McpCatalog, McpServer
from ai_config.results import Result
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

app = typer.Typer(
    help="MCP servers: a bundled catalog plus yours; secrets stored encrypted.",
    add_completion=False,
)
NameArg = Annotated[str, typer.Argument(help="MCP server name.")]


def _catalog() -> McpCatalog:
    return McpCatalog(home())


class McpServerList(Result):
    mcp_servers: list[McpServer]


class McpServerResult(Result):
    mcp_server: McpServer


class SecretName(Result):
    name: str


class SecretResult(Result):
    secret: SecretName


def _command_line(server: McpServer) -> str:
    entry = server.definition
    return " ".join(
        [str(entry.get("command", entry.get("url", ""))), *map(str, entry.get("args", []))]
    )


def _servers_view(result: McpServerList) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("name", "command", "from", "description"):
        table.add_column(column)
    for server in result.mcp_servers:
        table.add_row(
            server.name,
            escape(_command_line(server)),
            server.origin,
            escape(str(server.definition.get("description", ""))),
        )
    return table


def _server_view(result: McpServerResult) -> RenderableType:
    from rich.console import Group
    from rich.json import JSON

    server = result.mcp_server
    return Group(f"[bold]{server.name}[/bold] ({server.origin})", JSON.from_data(server.definition))


def _added_view(result: McpServerList) -> str:
    return "Added: " + ", ".join(server.name for server in result.mcp_servers)


def _removed_view(result: McpServerResult) -> str:
    return f"Removed {result.mcp_server.name}."


def _secret_view(result: SecretResult) -> str:
    return f"Stored secret {result.secret.name}."


@app.command("list")
@renders(_servers_view)
def list_servers(output: OutputOption = OutputFormat.TABLE) -> McpServerList:
    """List MCP servers (secret values are never shown).

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
    output: OutputOption = OutputFormat.TABLE,
) -> McpServerList:
    """Add MCP servers from pasted JSON (any of the three usual shapes; stdin if no --json).

    Secret-looking env values (TOKEN, KEY, SECRET, PASSWORD) are encrypted and replaced by
    ${secret:NAME}.

    Examples:

      ai-config mcp add --json '{"mcpServers": {"docs": {"command": "uvx", "args": ["docs-mcp"]}}}'

      ai-config mcp add search --file search-server.json
    """
    text = json_text or (file.read_text(encoding="utf-8") if file else sys.stdin.read())
    catalog = _catalog()
    return McpServerList(mcp_servers=[catalog.server(each) for each in catalog.add(text, name)])


@app.command("remove")
@renders(_removed_view)
def remove(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> McpServerResult:
    """Remove one of your MCP servers.

    Examples:

      ai-config mcp remove docs
    """
    return McpServerResult(mcp_server=_catalog().remove(name))


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
    if value is None:
        value = typer.prompt("Value", hide_input=True, err=True)
    _catalog().set_secret(key, value)
    return SecretResult(secret=SecretName(name=key))
