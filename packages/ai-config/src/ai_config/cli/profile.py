"""`ai-config profile list|add|use|remove`: named set-ups (work, home, a client).

Views import Rich themselves: a command run for JSON never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ai_config.exports.names import ExportTarget
from ai_config.home import home
from ai_config.profiles import Profile
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.table import Table

    from ai_config.profiles import ProfileStore

app = typer.Typer(
    help="Profiles: which library sources layer and where agents export, by name.",
    add_completion=False,
)
NameArg = Annotated[str, typer.Argument(help="Profile name, like work or client-acme.")]


def _store() -> ProfileStore:
    from ai_config.profiles import ProfileStore

    return ProfileStore(home())


class ProfileList(Result):
    profiles: list[Profile]


class ProfileResult(Result):
    profile: Profile | None


def _profiles_view(result: ProfileList) -> Table:
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for column in ("", "name", "sources", "targets", "dest"):
        table.add_column(column)
    for p in result.profiles:
        table.add_row(
            "*" if p.active else "",
            p.name,
            ", ".join(p.sources) or "all",
            ", ".join(p.targets) or "-",
            escape(str(p.dest or "-")),
        )
    return table


def _profile_view(verb: str) -> Callable[[ProfileResult], str]:
    def view(result: ProfileResult) -> str:
        if result.profile is None:
            return "No profile in use: every source layers; exports go where they went before."
        return f"{verb} profile {result.profile.name}."

    return view


@app.command("list")
@renders(_profiles_view)
def list_profiles(output: OutputOption = OutputFormat.TABLE) -> ProfileList:
    """The profiles, the one in use marked with *.

    Examples:

      ai-config profile list
    """
    return ProfileList(profiles=_store().list())


@app.command("add")
@renders(_profile_view("Added"))
def add(
    name: NameArg,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="An added source it layers.")
    ] = None,
    target: Annotated[
        list[ExportTarget] | None, typer.Option("--target", "-t", help="Where exports go.")
    ] = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="The project exports go into.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a profile of that name.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> ProfileResult:
    """Add a profile: the sources it layers over the base, where its exports go.

    Examples:

      ai-config profile add work --source team --target q-cli --target claude-code

      ai-config profile add client-acme --target cursor --dest ~/src/acme
    """
    from ai_config.library.sources import SourceSet
    from ai_config.library.store import Library

    lib = Library(home())
    lib.require()
    known = [s.name for s in SourceSet(lib).list()]
    profile = Profile(
        name=name,
        sources=source or [],
        targets=target or [],
        dest=dest.expanduser().resolve() if dest else None,
    )
    return ProfileResult(profile=_store().add(profile, known, force=force))


@app.command("use")
@renders(_profile_view("Using"))
def use(
    name: Annotated[str | None, typer.Argument(help="Profile name.")] = None,
    none: Annotated[bool, typer.Option("--none", help="Use no profile.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> ProfileResult:
    """Use a profile from now on (or --none).

    Examples:

      ai-config profile use work

      ai-config profile use --none
    """
    if (name is None) == (not none):
        raise ToolError(
            "AI_CONFIG_PROFILE_REQUIRED",
            "Name the profile to use, or --none for none (not both).",
            suggestions=["ai-config profile use work", "ai-config profile list"],
            exit_code=ExitCode.USAGE,
        )
    return ProfileResult(profile=_store().use(name))


@app.command("remove")
@renders(_profile_view("Removed"))
def remove(name: NameArg, output: OutputOption = OutputFormat.TABLE) -> ProfileResult:
    """Remove a profile (a backup is kept: ai-config backup list).

    Examples:

      ai-config profile remove client-acme
    """
    return ProfileResult(profile=_store().remove(name))
