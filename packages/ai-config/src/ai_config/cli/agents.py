"""`ai-config agent list|show|create|edit|delete|import|export`."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ai_config.home import home
from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, emit_json

if TYPE_CHECKING:
    from ai_config.agents.store import AgentStore

console = Console()
app = typer.Typer(help="Agents: built from library files and MCP servers, exported to agent tools.")
NameArg = Annotated[str, typer.Argument(help="Agent name.")]


def store() -> "AgentStore":
    from ai_config.agents.store import AgentStore
    from ai_config.library.store import Library

    library = Library(home())
    library.require()
    return AgentStore(library)


@app.command("list")
def list_agents(output: OutputOption = OutputFormat.TABLE) -> None:
    """List agents (base and yours).

    Examples:

      ai-config agent list --output json
    """
    agents = store().list()
    if output is OutputFormat.JSON:
        emit_json([a.model_dump(by_alias=True) for a in agents])
        return
    table = Table()
    for column in ("name", "description", "resources", "mcp servers"):
        table.add_column(column)
    for a in agents:
        servers = [s if isinstance(s, str) else ", ".join(s) for s in a.mcp_servers]
        table.add_row(a.name, a.description, str(len(a.resources)), ", ".join(servers) or "-")
    console.print(table)


@app.command("show")
def show(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Show an agent with the library files its resources resolve to.

    Examples:

      ai-config agent show reviewer
    """
    from ai_config.mcp.catalog import McpCatalog

    agents = store()
    resolved = agents.resolve(agents.get(name), McpCatalog(home()))
    data = {
        **resolved.agent.model_dump(by_alias=True),
        "resolved_resources": [f.path for f in resolved.resources],
        "mcp_server_names": sorted(resolved.mcp),
    }
    if output is OutputFormat.JSON:
        emit_json(data)
        return
    console.print(f"[bold]{name}[/bold]: {resolved.agent.description}")
    for f in resolved.resources:
        console.print(f"  {f.path}  [dim]{f.origin}[/dim]")
    if resolved.mcp:
        console.print("MCP servers: " + ", ".join(sorted(resolved.mcp)))


@app.command("create")
def create(
    name: NameArg,
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    prompt: Annotated[
        str, typer.Option("--prompt", "-p", help="Text, or a library .md path.")
    ] = "",
    resource: Annotated[
        list[str] | None, typer.Option("--resource", "-r", help="Library path or glob.")
    ] = None,
    mcp: Annotated[
        list[str] | None, typer.Option("--mcp", help="MCP server from the catalog.")
    ] = None,
    allowed_tool: Annotated[
        list[str] | None, typer.Option("--allow", help="An allowed tool.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Create an agent in your personal library.

    Examples:

      ai-config agent create helper -p roles/code-reviewer.md -r 'workflows/*.md' --mcp git
    """
    from ai_config.agents.model import Agent
    from ai_config.mcp.catalog import McpCatalog

    agent = Agent(
        name=name,
        description=description,
        prompt=prompt,
        resources=resource or [],
        mcpServers=list(mcp or []),
        tools=["*"],
        allowedTools=allowed_tool or [],
    )
    agents = store()
    agents.resolve(agent, McpCatalog(home()))
    path = agents.save(agent, new=True)
    if output is OutputFormat.JSON:
        emit_json({"name": name, "file": str(path)})
        return
    console.print(f"Created agent {name} ({path}). Export it: ai-config agent export {name}")


@app.command("edit")
def edit(name: NameArg) -> None:
    """Open an agent's YAML in $EDITOR (a base agent is copied to your library first).

    Examples:

      ai-config agent edit reviewer
    """
    from ai_config.library.store import Library

    Library(home()).edit(f"agents/{name}.yaml")
    store().get(name)


@app.command("delete")
def delete(
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete one of your agents (a backup is kept: ai-config backup list).

    Examples:

      ai-config agent delete helper --yes
    """
    if not yes and not typer.confirm(f"Delete agent {name}?"):
        raise typer.Exit(int(ExitCode.FAILURE))
    store().delete(name)
    console.print(f"Deleted agent {name}.")


@app.command("import")
def import_agent(
    file: Annotated[Path, typer.Argument(help="A Q CLI agent JSON file.")],
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Import an existing Amazon Q CLI agent JSON.

    Examples:

      ai-config agent import ~/.aws/amazonq/cli-agents/dev.json
    """
    agent = store().import_q_cli(file)
    if output is OutputFormat.JSON:
        emit_json(agent.model_dump(by_alias=True))
        return
    console.print(f"Imported agent {agent.name}.")


@app.command("export")
def export(
    name: Annotated[str | None, typer.Argument(help="Agent name (or --all).")] = None,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", "-t", help="q-cli, kiro, claude-code, cursor, agents-md."),
    ] = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="A project folder (default: global places).")
    ] = None,
    all_agents: Annotated[bool, typer.Option("--all", help="Every agent.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files edited by hand.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if any export is stale.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Write agents out for agent tools; files edited by hand since are not overwritten.

    Without --target, each agent is written where it was exported before (Q CLI the first
    time).

    Examples:

      ai-config agent export reviewer --target q-cli --target claude-code

      ai-config agent export --all --dest ./my-project

      ai-config agent export --check
    """
    from ai_config.exports.check import stale_exports
    from ai_config.exports.service import Exporter

    if check:
        stale = stale_exports(home())
        if output is OutputFormat.JSON:
            emit_json({"stale": stale})
        else:
            for path in stale:
                console.print(f"[yellow]stale[/yellow] {path}")
            console.print("All exports are up to date." if not stale else f"{len(stale)} stale")
        raise typer.Exit(int(ExitCode.FAILURE) if stale else 0)
    if not name and not all_agents:
        raise ToolError(
            "AI_CONFIG_AGENT_REQUIRED",
            "Say which agent to export, or --all.",
            suggestions=["ai-config agent export NAME", "ai-config agent export --all"],
            exit_code=ExitCode.USAGE,
        )
    from ai_config.exports.writer import ExportRecords

    names = [a.name for a in store().list()] if all_agents else [name or ""]
    recorded = ExportRecords(home()).load().values()
    exporter = Exporter(home())
    results = []
    for agent_name in names:
        # Without --target, an agent goes where it went before (or to Q CLI the first time).
        plans = (
            {(each, dest) for each in target}
            if target
            else {
                (r["target"], Path(r["dest"]) if r.get("dest") else None)
                for r in recorded
                if r["agent"] == agent_name
            }
            or {("q-cli", dest)}
        )
        for each, where in sorted(plans, key=lambda p: (p[0], str(p[1]))):
            for result in exporter.export(agent_name, each, where, force=force):
                results.append({"agent": agent_name, "target": each, **result.__dict__})
    if output is OutputFormat.JSON:
        emit_json(results)
        return
    for r in results:
        console.print(f"{r['state']:>9}  {r['path']}  [dim]{r['agent']} -> {r['target']}[/dim]")
