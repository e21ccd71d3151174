"""`ai-config agent list|show|create|edit|delete|import|export`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.agents.model import Agent
from ai_config.exports.names import ExportTarget
from ai_config.exports.writer import ExportedFile
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


class ExportList(Result):
    exports: list[ExportedFile]


class ExportCheck(ExportList):
    """``agent export --check``: only the exports that are no longer current."""


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
            a.name, escape(a.description), str(len(a.resources)), ", ".join(servers) or "-"
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

    lines = [f"[bold]{result.agent.name}[/bold]: {escape(result.agent.description)}"]
    lines += [f"  {escape(f.path)}  [dim]{f.origin}[/dim]" for f in result.resources]
    if result.mcp_servers:
        lines.append("MCP servers: " + ", ".join(result.mcp_servers))
    return Group(*lines)


def _exports_view(result: ExportList) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    if isinstance(result, ExportCheck):
        lines = [f"[yellow]{e.state}[/yellow] {escape(e.path)}" for e in result.exports]
        summary = (
            f"{len(lines)} to refresh: ai-config agent export --all"
            if lines
            else "All exports are up to date."
        )
        return Group(*lines, summary)
    lines = [
        f"{e.state:>9}  {escape(e.path)}  [dim]{e.agent} -> {e.target}[/dim]"
        for e in result.exports
    ]
    return Group(*lines) if lines else "Nothing to export."


def _not_current(result: ExportList) -> int:
    """A check that found exports to refresh is a finding (exit 1); an export never is."""
    current = ("written", "unchanged")
    return ExitCode.FAILURE if any(e.state not in current for e in result.exports) else 0


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
    resolved = agents.resolve(agents.get(name), McpCatalog(home()))
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
    agents.library.edit(agents.file(name).path)
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
    file = agents.file(name)
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
    output: OutputOption = OutputFormat.TABLE,
) -> AgentResult:
    """Import an existing Amazon Q CLI agent JSON into your personal library.

    Examples:

      ai-config agent import ~/.aws/amazonq/cli-agents/dev.json
    """
    agents = store()
    agent = agents.import_q_cli(file)
    return AgentResult(agent=agent, file=agents.file(agent.name))


@app.command("export")
@renders(_exports_view, exit_code=_not_current)
def export(
    name: Annotated[str | None, typer.Argument(help="Agent name (or --all).")] = None,
    target: Annotated[
        list[ExportTarget] | None,
        typer.Option("--target", "-t", help="Where to; repeat for several."),
    ] = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="A project folder (default: global places).")
    ] = None,
    all_agents: Annotated[bool, typer.Option("--all", help="Every agent.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files edited by hand.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Only list exports to refresh; exit 1 if any.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> ExportList:
    """Write agents out for agent tools; files edited by hand since are not overwritten.

    Without --target, each agent is written where it was exported before (Q CLI the first
    time).

    Examples:

      ai-config agent export reviewer --target q-cli --target claude-code

      ai-config agent export --all --dest ./my-project

      ai-config agent export --check
    """
    if check:
        from ai_config.exports.check import stale_exports

        return ExportCheck(exports=stale_exports(home()))
    if not name and not all_agents:
        raise ToolError(
            "AI_CONFIG_AGENT_REQUIRED",
            "Say which agent to export, or --all.",
            suggestions=["ai-config agent export NAME", "ai-config agent export --all"],
            exit_code=ExitCode.USAGE,
        )
    from ai_config.exports.service import Exporter
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
                (ExportTarget(r["target"]), Path(r["dest"]) if r.get("dest") else None)
                for r in recorded
                if r["agent"] == agent_name and r["target"] in set(ExportTarget)
            }
            or {(ExportTarget.Q_CLI, dest)}
        )
        for each, where in sorted(plans, key=lambda p: (p[0], str(p[1]))):
            results += exporter.export(agent_name, each, where, force=force)
    return ExportList(exports=results)
