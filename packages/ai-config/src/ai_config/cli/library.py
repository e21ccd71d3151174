"""`ai-config init` and `ai-config library ...`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from ai_config.cli import overrides, sources
from ai_config.exports.models import ExportedFile
from ai_config.home import home
from ai_config.library.models import (
    LibraryFile,
    LibraryStatus,
    Revision,
    SourceUpdate,
)
from ai_config.results import Result
from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, renders

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ai_config.library.store import Library

app = typer.Typer(
    help="The library: a shared base (git) and your personal overrides (git too).",
    add_completion=False,
)
init_app = typer.Typer(add_completion=False)
app.add_typer(sources.app, name="source")

PathArg = Annotated[str, typer.Argument(help="A library path, like roles/code-reviewer.md.")]


def library() -> Library:
    from ai_config.library.store import Library

    return Library(home())


# -- results ---------------------------------------------------------------------------------


class LibraryResult(Result):
    library: LibraryStatus


class StatusResult(Result):
    library: LibraryStatus
    stale_exports: list[ExportedFile]


class FileList(Result):
    files: list[LibraryFile]


class FileResult(Result):
    file: LibraryFile


class UpdateList(Result):
    updates: list[SourceUpdate]
    dry_run: bool
    notice: str | None = None


class UpdateResult(Result):
    update: SourceUpdate
    notice: str


class Diff(Result):
    against: Literal["base", "upstream"]
    path: str | None
    text: str


class DiffResult(Result):
    diff: Diff


class RevisionList(Result):
    revisions: list[Revision]


# -- views (each imports Rich itself: a command run for JSON never loads it) ---------------


def _library_view(result: LibraryResult | StatusResult) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    status = result.library
    upstream = (
        f", {status.behind} behind / {status.ahead} ahead of {status.upstream}"
        if status.upstream
        else " (no upstream)"
    )
    lines: list[RenderableType] = [
        f"Base at {status.base_revision[:8]}{upstream}; {status.files} files",
        f"[dim]base {escape(str(status.base_dir))}, yours {escape(str(status.personal_dir))}[/]",
    ]
    if status.base_edited_in_place:
        lines.append("[yellow]The base library has local edits; `library update` will refuse.[/]")
    if status.overrides:
        table = Table(title="Personal files", title_justify="left")
        table.add_column("path")
        table.add_column("state")
        for item in status.overrides:
            style = {"conflict": "bold red", "base-changed": "yellow"}.get(item.state, "green")
            extra = f" -> {escape(item.renamed_to)}" if item.renamed_to else ""
            extra += f" (upstream's: {escape(item.upstream_copy)})" if item.upstream_copy else ""
            table.add_row(escape(item.path), f"[{style}]{item.state}[/]{extra}")
        lines.append(table)
    for link in status.unsafe_links:
        lines.append(
            f"[bold red]symlink outside the library, not followed:[/] {escape(link.path)}"
            f" ({link.library}) -> {escape(link.target)}"
        )
    for stale in result.stale_exports if isinstance(result, StatusResult) else []:
        lines.append(f"[yellow]{stale.state} export[/] {escape(stale.path)}")
    if isinstance(result, LibraryResult):
        lines.append(
            "Next: ai-config library files, then ai-config agent create NAME -r 'roles/*.md'"
        )
    return Group(*lines)


def _files_view(result: FileList) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    return Group(*(f"{escape(f.path)}  [dim]{f.origin}[/]" for f in result.files))


def _file_view(result: FileResult) -> str:
    from rich.markup import escape

    return f"Your copy: {escape(str(result.file.location))}"


def _update_lines(update: SourceUpdate, *, dry_run: bool) -> list[str]:
    from rich.markup import escape

    if update.old == update.new and not update.merged and not update.conflicts:
        return [f"{update.source}: already up to date at {update.new[:8]}."]
    verb = "would move" if dry_run else "moved"
    lines = [
        f"{update.source}: {verb} {update.old[:8]} -> {update.new[:8]},"
        f" {len(update.changed)} files changed upstream"
    ]
    lines += [f"  [green]merged[/]   {escape(rel)}" for rel in update.merged]
    lines += [
        f"  [bold red]conflict[/] {escape(rel)}  (resolve the markers, then save)"
        for rel in update.conflicts
    ]
    lines += [
        f"  [yellow]removed upstream[/] {escape(rel)} (your copy is kept)"
        for rel in update.removed_upstream
    ]
    lines += [
        f"  [cyan]moved[/]    {escape(r.from_path)} -> {escape(r.to)} (renamed upstream)"
        for r in update.renamed
    ]
    return lines


def _updates_view(result: UpdateList) -> RenderableType:
    from rich.console import Group

    lines = [line for u in result.updates for line in _update_lines(u, dry_run=result.dry_run)]
    return Group(*lines, *([result.notice] if result.notice else []))


def _has_conflicts(result: UpdateList) -> int:
    return ExitCode.FAILURE if any(u.conflicts for u in result.updates) else ExitCode.OK


def _diff_view(result: DiffResult) -> None:
    sys.stdout.write(result.diff.text)  # as git prints it, with no markup read into it
    sys.stdout.flush()


def _log_view(result: RevisionList) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    return Group(*(f"{r.revision[:8]}  {r.date}  {escape(r.subject)}" for r in result.revisions))


def _rollback_view(result: UpdateResult) -> str:
    return f"Base rolled back {result.update.old[:8]} -> {result.update.new[:8]}. {result.notice}"


# -- commands --------------------------------------------------------------------------------


@init_app.command("init")
@renders(_library_view)
def init(
    source: Annotated[
        str | None, typer.Option("--library", help="Git URL or path of a shared base library.")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Branch to follow.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> LibraryResult:
    """Create your libraries: clone a shared base library, or start from the bundled starter.

    Examples:

      ai-config init

      ai-config init --library git@github.com:team/agent-library.git --branch main
    """
    lib = library()
    lib.init(source, branch)
    return LibraryResult(library=lib.status())


@app.command("status")
@renders(_library_view)
def status(
    fetch: Annotated[bool, typer.Option("--fetch", help="Fetch upstream first.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> StatusResult:
    """Base revision, upstream ahead/behind, each override's state, stale exports.

    Examples:

      ai-config library status --fetch

      ai-config library status -o json
    """
    from ai_config.exports.check import stale_exports

    lib = library()
    lib.require()
    scans = lib.scans()  # one scan of the library for both
    return StatusResult(
        library=lib.status(fetch=fetch, scans=scans), stale_exports=stale_exports(home(), scans)
    )


@app.command("files")
@renders(_files_view)
def files(
    pattern: Annotated[str | None, typer.Argument(help="A glob, like 'roles/*'.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> FileList:
    """List the effective library (personal files win over base files).

    Examples:

      ai-config library files 'roles/*'
    """
    return FileList(files=library().files(pattern))


@app.command("edit")
@renders(_file_view)
def edit(path: PathArg, output: OutputOption = OutputFormat.TABLE) -> FileResult:
    """Copy a base file into your personal library (remembering its revision) and open $EDITOR.

    Later updates merge upstream changes into your copy three-way.

    Examples:

      EDITOR=nano ai-config library edit roles/code-reviewer.md
    """
    lib = library()
    lib.edit(path)
    return FileResult(file=lib.resolve(path))


@app.command("new")
@renders(_file_view)
def new(path: PathArg, output: OutputOption = OutputFormat.TABLE) -> FileResult:
    """Create a personal library file and open $EDITOR.

    Examples:

      ai-config library new domains/our-platform.md
    """
    lib = library()
    lib.new(path)
    return FileResult(file=lib.resolve(path))


@app.command("update")
@renders(_updates_view, exit_code=_has_conflicts)
def update(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change.")] = False,
    frozen: Annotated[
        bool, typer.Option("--frozen", help="Refuse to move the pinned revision.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> UpdateList:
    """Fetch the base library and every source, fast-forward them, and merge upstream changes
    into your overrides.

    Clean merges apply; conflicts stay in your file with markers and are listed (exit 1).

    Examples:

      ai-config library update --dry-run

      ai-config library update
    """
    from ai_config.library.sources import update_all

    updates, notice = update_all(library(), dry_run=dry_run, frozen=frozen)
    return UpdateList(updates=updates, dry_run=dry_run, notice=notice)


@app.command("diff")
@renders(_diff_view)
def diff(
    path: Annotated[
        str | None, typer.Argument(help="One library path (default: all overrides).")
    ] = None,
    upstream: Annotated[
        bool, typer.Option("--upstream", help="Base against upstream instead.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> DiffResult:
    """Show your overrides against the base (or the base against upstream).

    Examples:

      ai-config library diff roles/code-reviewer.md

      ai-config library diff --upstream
    """
    text = library().diff(path, upstream=upstream)
    return DiffResult(diff=Diff(against="upstream" if upstream else "base", path=path, text=text))


@app.command("log")
@renders(_log_view)
def log(
    count: Annotated[int, typer.Option("-n", help="How many revisions.")] = 20,
    output: OutputOption = OutputFormat.TABLE,
) -> RevisionList:
    """The base library's history, newest first.

    Examples:

      ai-config library log -n 5
    """
    return RevisionList(revisions=library().log(count))


@app.command("rollback")
@renders(_rollback_view)
def rollback(
    revision: Annotated[
        str | None, typer.Argument(help="Revision (default: the previous one).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> UpdateResult:
    """Move the base library back to an earlier revision; prints how to roll forward again.

    Examples:

      ai-config library rollback

      ai-config library rollback 3f2c1a9
    """
    moved = library().rollback(revision)
    return UpdateResult(
        update=moved, notice=f"Roll forward with: ai-config library rollback {moved.old[:8]}"
    )


app.command("forget")(overrides.forget)
app.command("resolve")(overrides.resolve)
