"""`ai-config agent export`: write agents out, preview, check, revert.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import Field

from ai_config.agents.names import agent_name
from ai_config.exports.models import ExportedFile
from ai_config.exports.names import ExportTarget
from ai_config.home import home
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["ExportCheck", "ExportList", "export"]


class ExportList(Result):
    exports: list[ExportedFile]
    environment: list[str] = Field(
        default_factory=list,
        description="Variables the project files refer to in place of secrets; set them where"
        " the tools run",
    )
    dry_run: bool = False
    notice: str | None = None


class ExportCheck(Result):
    """``agent export --check``: only the parts that are no longer current."""

    exports: list[ExportedFile]


def _exports_view(result: ExportList | ExportCheck) -> RenderableType | None:
    from rich.console import Group
    from rich.markup import escape

    if isinstance(result, ExportCheck):
        lines = [
            f"[yellow]{e.state}[/yellow] {escape(e.path)} [dim]{e.agent}[/]" for e in result.exports
        ]
        summary = (
            f"{len(lines)} to look at: ai-config agent export --all (or --revert)"
            if lines
            else "All exports are up to date."
        )
        return Group(*lines, summary)
    if result.dry_run:
        for e in result.exports:
            sys.stdout.write(f"{e.state:>11}  {e.path}  ({e.agent} -> {e.target})\n")
            if e.diff:
                sys.stdout.write(e.diff if e.diff.endswith("\n") else e.diff + "\n")
        sys.stdout.flush()
        return None
    lines = [
        f"{e.state:>9}  {escape(e.path)}  [dim]{e.agent} -> {e.target}[/dim]"
        for e in result.exports
    ]
    lines += [f"[yellow]note[/] {escape(w)}" for e in result.exports for w in e.warnings]
    if result.notice:
        lines.append(escape(result.notice))
    return Group(*lines) if lines else "Nothing to export."


def _not_current(result: ExportList | ExportCheck) -> int:
    """A check that found parts to refresh is a finding (exit 1); an export never is."""
    current = ("written", "unchanged", "would-write", "reverted")
    return ExitCode.FAILURE if any(e.state not in current for e in result.exports) else 0


@renders(_exports_view, exit_code=_not_current)
def export(
    name: Annotated[str | None, typer.Argument(help="Agent name (or --all).")] = None,
    target: Annotated[
        list[ExportTarget] | None,
        typer.Option("--target", "-t", help="Where to; repeat for several."),
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option("--dest", help="A project folder (default: each tool's global place)."),
    ] = None,
    all_agents: Annotated[bool, typer.Option("--all", help="Every agent.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite parts edited by hand.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Only list parts to refresh; exit 1 if any.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be written, with diffs.")
    ] = False,
    revert: Annotated[
        bool, typer.Option("--revert", help="Put back what the last export changed.")
    ] = False,
    inline_secrets: Annotated[
        bool,
        typer.Option(
            "--inline-secrets",
            help="Write secret values into project files (default: references the tool expands).",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> ExportList | ExportCheck:
    """Write agents out for agent tools; parts edited by hand since are not overwritten.

    Without --target, the profile in use chooses (ai-config profile use NAME); without one,
    each agent goes where it was exported before (Q CLI the first time).
    Files agents share are shared: each agent owns its section of AGENTS.md and its servers in
    .mcp.json, .cursor/mcp.json and .kiro/settings/mcp.json. Everything an export overwrites
    is backed up first; --revert puts the last export back. Into a project (--dest), secrets
    are written as references the tool expands (${VAR} for Claude Code and Kiro, ${env:VAR}
    for Cursor and Q CLI): set those variables where the tool runs.

    Examples:

      ai-config agent export reviewer --target q-cli --target claude-code

      ai-config agent export --all --dest ./my-project --dry-run

      ai-config agent export --check

      ai-config agent export --revert
    """
    from ai_config.exports.service import Exporter

    if check:
        from ai_config.exports.check import stale_exports

        return ExportCheck(exports=stale_exports(home()))
    exporter = Exporter(home())
    exporter.library.require()
    if revert:
        reverted = exporter.revert()
        return ExportList(
            exports=reverted, notice=f"Reverted the last export ({len(reverted)} parts)."
        )
    if not name and not all_agents:
        raise ToolError(
            "AI_CONFIG_AGENT_REQUIRED",
            "Say which agent to export, or --all.",
            suggestions=["ai-config agent export NAME", "ai-config agent export --all"],
            exit_code=ExitCode.USAGE,
        )
    names = [a.name for a in exporter.store.list()] if all_agents else [agent_name(name or "")]
    plan = exporter.plan_agents(names, target, dest, inline=inline_secrets)
    environment = sorted(exporter.environment)
    notice = (
        "The project files refer to these variables in place of secrets; set them where the"
        f" tools run: {', '.join(environment)}"
        if environment
        else None
    )
    if dry_run:
        return ExportList(exports=plan.preview(force=force), environment=environment, dry_run=True)
    if not force:
        plan.check_edited()
    return ExportList(exports=plan.commit("agent export"), environment=environment, notice=notice)
