"""`ai-config mcp list|show|add|remove|secret`."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ai_config.home import home

if TYPE_CHECKING:
    from ai_config.mcp.catalog import McpCatalog
from groundwork.output import OutputFormat, OutputOption, emit_json

console = Console()
app = typer.Typer(help="MCP servers: a bundled catalog plus yours; secrets stored encrypted.")


def _catalog() -> "McpCatalog":
    from ai_config.mcp.catalog import McpCatalog

    return McpCatalog(home())


@app.command("list")
def list_servers(output: OutputOption = OutputFormat.TABLE) -> None:
    """List MCP servers (secret values are never shown).

    Examples:

      ai-config mcp list
    """
    catalog = _catalog()
    user = catalog.user()
    servers = catalog.all()
    if output is OutputFormat.JSON:
        emit_json(
            {n: {**e, "origin": "user" if n in user else "bundled"} for n, e in servers.items()}
        )
        return
    table = Table()
    for column in ("name", "command", "from", "description"):
        table.add_column(column)
    for n, e in sorted(servers.items()):
        command = " ".join([str(e.get("command", e.get("url", ""))), *map(str, e.get("args", []))])
        table.add_row(n, command, "user" if n in user else "bundled", str(e.get("description", "")))
    console.print(table)


@app.command("show")
def show(name: str, output: OutputOption = OutputFormat.TABLE) -> None:
    """Show one MCP server definition (secrets as ${secret:NAME}).

    Examples:

      ai-config mcp show github
    """
    entry = _catalog().get(name)
    emit_json(entry) if output is OutputFormat.JSON else console.print_json(data=entry)


@app.command("add")
def add(
    name: Annotated[str | None, typer.Argument(help="Name, for a bare entry.")] = None,
    json_text: Annotated[str | None, typer.Option("--json", help="The JSON as pasted.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the JSON from a file.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Add MCP servers from pasted JSON (any of the three usual shapes; stdin if no --json).

    Secret-looking env values (TOKEN, KEY, SECRET, PASSWORD) are encrypted and replaced by
    ${secret:NAME}.

    Examples:

      ai-config mcp add --json '{"mcpServers": {"docs": {"command": "uvx", "args": ["docs-mcp"]}}}'

      ai-config mcp add search --file search-server.json
    """
    text = json_text or (file.read_text(encoding="utf-8") if file else sys.stdin.read())
    added = _catalog().add(text, name)
    if output is OutputFormat.JSON:
        emit_json({"added": added})
        return
    console.print("Added: " + ", ".join(added))


@app.command("remove")
def remove(name: str) -> None:
    """Remove one of your MCP servers.

    Examples:

      ai-config mcp remove docs
    """
    _catalog().remove(name)
    console.print(f"Removed {name}.")


@app.command("secret")
def secret(
    key: Annotated[str, typer.Argument(help="Secret name, as in ${secret:NAME}.")],
    value: Annotated[str, typer.Option(prompt=True, hide_input=True, help="The value.")],
) -> None:
    """Store a secret encrypted at rest (the OS keyring holds the key when there is one).

    Examples:

      ai-config mcp secret GITHUB_PERSONAL_ACCESS_TOKEN
    """
    _catalog().set_secret(key, value)
    console.print(f"Stored secret {key}.")
