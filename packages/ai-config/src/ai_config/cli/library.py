"""`ai-config init` and `ai-config library ...`."""

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ai_config.home import home
from groundwork.errors import ExitCode
from groundwork.output import OutputFormat, OutputOption, emit_json

if TYPE_CHECKING:
    from ai_config.library.store import Library

console = Console()
app = typer.Typer(help="The library: a shared base (git) and your personal overrides (git too).")

PathArg = Annotated[str, typer.Argument(help="A library path, like roles/code-reviewer.md.")]


def library() -> "Library":
    from ai_config.library.store import Library

    return Library(home())


def init(
    source: Annotated[
        str | None, typer.Option("--library", help="Git URL or path of a shared base library.")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Branch to follow.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Create your libraries: clone a shared base library, or start from the bundled starter.

    Examples:

      ai-config init

      ai-config init --library git@github.com:team/agent-library.git --branch main
    """
    lib = library()
    revision = lib.init(source, branch)
    if output is OutputFormat.JSON:
        emit_json(
            {"base": str(lib.base_dir), "personal": str(lib.personal_dir), "revision": revision}
        )
        return
    console.print(
        f"Base library: {lib.base_dir}"
        f" ({'from ' + source if source else 'starter'}, {revision[:8]})"
    )
    console.print(f"Personal library: {lib.personal_dir}")
    console.print(
        "Next: ai-config library files, then ai-config agent create NAME --resource 'roles/*.md'"
    )


@app.command("status")
def status(
    fetch: Annotated[bool, typer.Option("--fetch", help="Fetch upstream first.")] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Base revision, upstream ahead/behind, each override's state, stale exports.

    Examples:

      ai-config library status --fetch
    """
    from ai_config.exports.check import stale_exports

    report = library().status(fetch=fetch)
    report["stale_exports"] = stale_exports(home())
    if output is OutputFormat.JSON:
        emit_json(report)
        return
    console.print(
        f"Base at {report['base_revision'][:8]}"
        + (
            f", {report['behind']} behind / {report['ahead']} ahead of {report['upstream']}"
            if report["upstream"]
            else " (no upstream)"
        )
        + f"; {report['files']} files"
    )
    if report["base_edited_in_place"]:
        console.print(
            "[yellow]The base library has local edits; `library update` will refuse.[/yellow]"
        )
    if report["overrides"]:
        table = Table(title="Personal files", title_justify="left")
        table.add_column("path")
        table.add_column("state")
        for item in report["overrides"]:
            style = {"conflict": "bold red", "base-changed": "yellow"}.get(item["state"], "green")
            table.add_row(item["path"], f"[{style}]{item['state']}[/]")
        console.print(table)
    for stale in report["stale_exports"]:
        console.print(f"[yellow]stale export[/yellow] {stale}")


@app.command("files")
def files(
    pattern: Annotated[str | None, typer.Argument(help="A glob, like 'roles/*'.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """List the effective library (personal files win over base files).

    Examples:

      ai-config library files 'roles/*'
    """
    found = library().files(pattern)
    if output is OutputFormat.JSON:
        emit_json(
            [{"path": f.path, "origin": f.origin, "location": str(f.location)} for f in found]
        )
        return
    for f in found:
        console.print(f"{f.path}  [dim]{f.origin}[/dim]")


@app.command("edit")
def edit(path: PathArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Copy a base file into your personal library (remembering its revision) and open $EDITOR.

    Later updates merge upstream changes into your copy three-way.

    Examples:

      EDITOR=nano ai-config library edit roles/code-reviewer.md
    """
    target = library().edit(path)
    if output is OutputFormat.JSON:
        emit_json({"path": path, "file": str(target)})
        return
    console.print(f"Your copy: {target}")


@app.command("new")
def new(path: PathArg, output: OutputOption = OutputFormat.TABLE) -> None:
    """Create a personal library file and open $EDITOR.

    Examples:

      ai-config library new domains/our-platform.md
    """
    target = library().new(path)
    if output is OutputFormat.JSON:
        emit_json({"path": path, "file": str(target)})
        return
    console.print(f"Created {target}")


@app.command("update")
def update(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change.")] = False,
    frozen: Annotated[
        bool, typer.Option("--frozen", help="Refuse to move the pinned revision.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Fetch the base library, fast-forward it, and merge upstream changes into your overrides.

    Clean merges apply; conflicts stay in your file with markers and are listed (exit 1).

    Examples:

      ai-config library update --dry-run

      ai-config library update
    """
    from ai_config.library.sources import SourceSet

    lib = library()
    has_upstream = lib.status()["upstream"] is not None
    report = lib.update(dry_run=dry_run, frozen=frozen) if has_upstream else None
    sources = SourceSet(lib).update(frozen=frozen, dry_run=dry_run)
    if output is OutputFormat.JSON:
        emit_json(
            {
                **(report.to_dict() if report else {"base": "no upstream"}),
                "sources": [s.__dict__ for s in sources],
            }
        )
        if report and report.conflicts:
            raise typer.Exit(int(ExitCode.FAILURE))
        return
    for s in sources:
        console.print(
            f"Source {s.name}: {s.old[:8]} -> {s.new[:8]}, {len(s.changed)} files changed"
        )
    if report is None:
        if not sources:
            console.print("The base library has no upstream; added sources are up to date.")
        return
    if report.old == report.new and not report.merged and not report.conflicts:
        console.print("Already up to date.")
    else:
        verb = "Would update" if dry_run else "Updated"
        console.print(
            f"{verb} base {report.old[:8]} -> {report.new[:8]}:"
            f" {len(report.upstream_changed)} files changed upstream"
        )
        for rel in report.merged:
            console.print(f"  [green]merged[/green]   {rel}")
        for rel in report.conflicts:
            console.print(
                f"  [bold red]conflict[/bold red] {rel}  (resolve the markers, then save)"
            )
        for rel in report.removed_upstream:
            console.print(f"  [yellow]removed upstream[/yellow] {rel} (your copy is kept)")
    if report.conflicts:
        raise typer.Exit(int(ExitCode.FAILURE))


source_app = typer.Typer(help="More library sources beside the base, pinned in library.lock.")
app.add_typer(source_app, name="source")


@source_app.command("add")
def source_add(
    name: Annotated[str, typer.Argument(help="A short name, like team or mine.")],
    url: Annotated[str, typer.Argument(help="Git URL or path.")],
    branch: Annotated[str | None, typer.Option("--branch", help="Branch to follow.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Add a library source; its files layer over the base, under your personal files.

    Examples:

      ai-config library source add team git@github.com:team/agents.git --branch main
    """
    from ai_config.library.sources import SourceSet

    revision = SourceSet(library()).add(name, url, branch)
    if output is OutputFormat.JSON:
        emit_json({"name": name, "url": url, "revision": revision})
        return
    console.print(f"Added source {name} at {revision[:8]}.")


@source_app.command("list")
def source_list(output: OutputOption = OutputFormat.TABLE) -> None:
    """Sources and their pinned revisions.

    Examples:

      ai-config library source list
    """
    from ai_config.library.sources import SourceSet

    sources = SourceSet(library()).list()
    if output is OutputFormat.JSON:
        emit_json(sources)
        return
    for name, entry in sources.items():
        branch = f" ({entry['branch']})" if entry.get("branch") else ""
        console.print(f"{name}  {entry.get('url')}{branch}  {str(entry.get('revision'))[:8]}")


@source_app.command("remove")
def source_remove(name: str) -> None:
    """Remove a source (its clone and its pin).

    Examples:

      ai-config library source remove team
    """
    from ai_config.library.sources import SourceSet

    SourceSet(library()).remove(name)
    console.print(f"Removed source {name}.")


@app.command("diff")
def diff(
    path: Annotated[
        str | None, typer.Argument(help="One library path (default: all overrides).")
    ] = None,
    upstream: Annotated[
        bool, typer.Option("--upstream", help="Base against upstream instead.")
    ] = False,
) -> None:
    """Show your overrides against the base (or the base against upstream).

    Examples:

      ai-config library diff roles/code-reviewer.md

      ai-config library diff --upstream
    """
    typer.echo(library().diff(path, upstream=upstream), nl=False)


@app.command("log")
def log(
    count: Annotated[int, typer.Option("-n", help="How many revisions.")] = 20,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """The base library's history.

    Examples:

      ai-config library log -n 5
    """
    entries = library().log(count)
    if output is OutputFormat.JSON:
        emit_json(entries)
        return
    for e in entries:
        console.print(f"{e['revision'][:8]}  {e['date']}  {e['subject']}")


@app.command("rollback")
def rollback(
    revision: Annotated[
        str | None, typer.Argument(help="Revision (default: the previous one).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> None:
    """Move the base library back to an earlier revision; prints how to roll forward again.

    Examples:

      ai-config library rollback

      ai-config library rollback 3f2c1a9
    """
    old, new = library().rollback(revision)
    if output is OutputFormat.JSON:
        emit_json({"from": old, "to": new})
        return
    console.print(
        f"Base rolled back {old[:8]} -> {new[:8]}."
        f" Roll forward with: ai-config library rollback {old[:8]}"
    )
