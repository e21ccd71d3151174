"""`ai-config agent list|show|create|edit|delete|import|export`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.agents.model import Agent, new_agent
from ai_config.agents.names import agent_name
from ai_config.cli.export import export
from ai_config.home import home
from ai_config.library.models import LibraryFile
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ai_config.agents.store import AgentStore

app = typer.Typer(
    help="Agents: built from library files and MCP servers, exported to agent tools.",
    add_completion=False,
)
NameArg = Annotated[str, typer.Argument(help="Agent name.")]


def store() -> AgentStore:
    from ai_config.agents.store import AgentStore
    from ai_config.library.store import Library

    library = Library(home())
    library.require()
    return AgentStore(library)


# -- results ---------------------------------------------------------------------------------


class AgentList(Result):
    agents: list[Agent]


class AgentResult(Result):
    agent: Agent
    file: LibraryFile


class AgentDetail(AgentResult):
    resources: list[LibraryFile]
    mcp_servers: list[str]


# -- views (each imports Rich itself: a command run for JSON never loads it) ---------------


def _agents_view(result: AgentList) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("name", "description", "resources", "mcp servers"):
        table.add_column(column)
    for a in result.agents:
        servers = [s if isinstance(s, str) else ", ".join(s) for s in a.mcp_servers]
        table.add_row(
            a.name, escape(a.description or ""), str(len(a.resources)), ", ".join(servers) or "-"
        )
    return table


def _agent_view(verb: str) -> Callable[[AgentResult], str]:
    from rich.markup import escape

    def view(result: AgentResult) -> str:
        return f"{verb} agent {result.agent.name} ({escape(str(result.file.location))})."

    return view


def _detail_view(result: AgentDetail) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    lines = [f"[bold]{result.agent.name}[/bold]: {escape(result.agent.description or '')}"]
    lines += [f"  {escape(f.path)}  [dim]{f.origin}[/dim]" for f in result.resources]
    if result.mcp_servers:
        lines.append("MCP servers: " + ", ".join(result.mcp_servers))
    return Group(*lines)


# -- commands --------------------------------------------------------------------------------


@app.command("list")
@renders(_agents_view)
def list_agents(output: OutputOption = OutputFormat.TABLE) -> AgentList:
    """List agents (base and yours).

    Examples:

      ai-config agent list --output json
    """
    return AgentList(agents=store().list())


@app.command("show")
@renders(_detail_view)
def show(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> AgentDetail:
    """Show an agent with the library files its resources resolve to.

    Examples:

      ai-config agent show reviewer
    """
    from ai_config.mcp.catalog import McpCatalog

    agents = store()
    resolved = agents.resolve(agents.get(agent_name(name)), McpCatalog(home()))
    return AgentDetail(
        agent=resolved.agent,
        file=agents.file(name),
        resources=resolved.resources,
        mcp_servers=sorted(resolved.mcp),
    )


@app.command("create")
@renders(_agent_view("Created"))
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
) -> AgentResult:
    """Create an agent in your personal library; export it with ai-config agent export NAME.

    Examples:

      ai-config agent create helper -p roles/code-reviewer.md -r 'workflows/*.md' --mcp git
    """
    from ai_config.mcp.catalog import McpCatalog

    agent = new_agent(
        agent_name(name),
        description=description,
        prompt=prompt,
        resources=resource,
        mcp_servers=mcp,
        allowed_tools=allowed_tool,
    )
    agents = store()
    agents.resolve(agent, McpCatalog(home()))
    agents.save(agent, new=True)
    return AgentResult(agent=agent, file=agents.file(name))


@app.command("edit")
@renders(_agent_view("Edited"))
def edit(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> AgentResult:
    """Open an agent's YAML in $EDITOR (a base agent is copied to your library first).

    Examples:

      ai-config agent edit reviewer
    """
    agents = store()
    agents.library.edit(agents.file(agent_name(name)).path)
    return AgentResult(agent=agents.get(name), file=agents.file(name))


@app.command("delete")
@renders(_agent_view("Deleted"))
def delete(
    name: NameArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> AgentResult:
    """Delete one of your agents (a backup is kept: ai-config backup list).

    Examples:

      ai-config agent delete helper --yes
    """
    agents = store()
    file = agents.file(agent_name(name))
    if not yes and not confirm(f"Delete agent {name}?"):
        raise ToolError(
            "AI_CONFIG_NOT_CONFIRMED",
            f"Agent {name} was not deleted: the deletion was not confirmed.",
            suggestions=[f"Confirm it, or skip the question: ai-config agent delete {name} --yes"],
            exit_code=ExitCode.FAILURE,
        )
    return AgentResult(agent=agents.delete(name), file=file)


@app.command("import")
@renders(_agent_view("Imported"))
def import_agent(
    file: Annotated[Path, typer.Argument(help="A Q CLI agent JSON file.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Name it (default: its own name, or the file's).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> AgentResult:
    """Import an Amazon Q CLI agent JSON into your personal library, as it is.

    Its fields are kept as written ("prompt": null, file:// resources outside the library,
    fields ai-config does not know), so exporting it gives the same JSON back. MCP env values
    and headers move into the encrypted store: the agent file (committed to your personal
    library's git) keeps only ${secret:...} references.

    Examples:

      ai-config agent import ~/.aws/amazonq/cli-agents/dev.json

      ai-config agent import q_cli_default.json --name default
    """
    agents = store()
    agent = agents.import_q_cli(file, agent_name(name) if name else None)
    return AgentResult(agent=agent, file=agents.file(agent.name))


app.command("export")(export)
