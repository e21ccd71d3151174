"""`ai-config library source add|list|remove`: more libraries beside the base.

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.home import home
from ai_config.library.models import SourceInfo
from ai_config.results import Result
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.table import Table

    from ai_config.library.sources import SourceSet

app = typer.Typer(
    help="More library sources beside the base, pinned in library.lock.", add_completion=False
)


def source_set() -> SourceSet:
    from ai_config.library.sources import SourceSet
    from ai_config.library.store import Library

    return SourceSet(Library(home()))


class SourceList(Result):
    sources: list[SourceInfo]


class SourceResult(Result):
    source: SourceInfo


def _source_view(result: SourceResult) -> str:
    from rich.markup import escape

    source = result.source
    return f"Source {source.name} at {source.revision[:8]} ({escape(source.url or '-')})."


def _source_removed_view(result: SourceResult) -> str:
    return f"Removed source {result.source.name}."


def _sources_view(result: SourceList) -> Table:
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("name", "url", "branch", "revision"):
        table.add_column(column)
    for s in result.sources:
        table.add_row(s.name, escape(s.url or "-"), s.branch or "-", s.revision[:8])
    return table


@app.command("add")
@renders(_source_view)
def source_add(
    name: Annotated[str, typer.Argument(help="A short name, like team or mine.")],
    url: Annotated[str, typer.Argument(help="Git URL or path.")],
    branch: Annotated[str | None, typer.Option("--branch", help="Branch to follow.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> SourceResult:
    """Add a library source; its files layer over the base, under your personal files.

    Examples:

      ai-config library source add team git@github.com:team/agents.git --branch main
    """
    return SourceResult(source=source_set().add(name, url, branch))


@app.command("list")
@renders(_sources_view)
def source_list(output: OutputOption = OutputFormat.TABLE) -> SourceList:
    """Sources and their pinned revisions, in the order they layer.

    Examples:

      ai-config library source list
    """
    return SourceList(sources=source_set().list())


@app.command("remove")
@renders(_source_removed_view)
def source_remove(
    name: Annotated[str, typer.Argument(help="The source's name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> SourceResult:
    """Remove a source (its clone and its pin).

    Examples:

      ai-config library source remove team
    """
    return SourceResult(source=source_set().remove(name))


@app.command("set-url")
@renders(_source_view)
def source_set_url(
    name: Annotated[str, typer.Argument(help="base, or an added source's name.")],
    url: Annotated[str, typer.Argument(help="Its new git URL or path.")],
    output: OutputOption = OutputFormat.TABLE,
) -> SourceResult:
    """Point a library at its new URL after it moved (library.lock and the clone's remote).

    Examples:

      ai-config library source set-url base git@github.com:team/agent-library.git
    """
    return SourceResult(source=source_set().set_url(name, url))
