"""`prism templates repo ...|search|install|update|history|rollback`: template repositories
(git repositories with an index), installed templates and their versions. Local, no daemon.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from groundwork.output import OutputFormat, OutputOption, renders, stderr_console
from prism.cli.templates import app
from prism.cli.text import plain
from prism.home import home

if TYPE_CHECKING:
    from rich.console import RenderableType

    from prism.templates.repos.results import (
        HistoryResult,
        InstallResult,
        Repository,
        RepositoryList,
        RepositoryResult,
        SearchResult,
        UpdateResult,
    )

repo_app = typer.Typer(
    help="Template repositories: git repositories of templates with an index (index.yaml)."
)
app.add_typer(repo_app, name="repo")


def _repo_line(repo: "Repository") -> str:
    commit = f" at {repo.commit[:12]}" if repo.commit else ""
    counts = f"{repo.templates} templates ({repo.versions} versions)"
    return f"{repo.name}: {counts} from {repo.url}{commit}"


def _repo_view(result: "RepositoryResult") -> "RenderableType":
    return plain(_repo_line(result.repository))


def _repos_view(result: "RepositoryList") -> "RenderableType":
    from rich.table import Table

    table = Table(title="Template repositories", title_justify="left")
    for column in ("name", "templates", "versions", "url", "commit", "updated"):
        table.add_column(column, no_wrap=column == "name")
    for r in result.repositories:
        table.add_row(
            plain(r.name),
            str(r.templates),
            str(r.versions),
            plain(r.url),
            plain((r.commit or "-")[:12]),
            plain(r.updated_at or "-"),
        )
    return table


@repo_app.command("add")
@renders(_repo_view)
def repo_add(
    name: Annotated[str, typer.Argument(help="A name for the repository, e.g. lab.")],
    url: Annotated[str, typer.Argument(help="Its git URL (https, ssh, or a path).")],
    output: OutputOption = OutputFormat.TABLE,
) -> "RepositoryResult":
    """Add a template repository: cloned, its index and every checksum checked.

    A repository whose files do not match its index is refused.

    Examples:

      prism templates repo add lab https://git.example.org/lab/prism-templates.git

      prism templates repo add lab ~/src/prism-templates --output json
    """
    from prism.templates.repos.results import RepositoryResult
    from prism.templates.repos.store import RepositoryStore

    with stderr_console().status(f"Cloning {url}..."):
        added = RepositoryStore(home()).add(name, url)
    return RepositoryResult(repository=added)


@repo_app.command("list")
@renders(_repos_view)
def repo_list(output: OutputOption = OutputFormat.TABLE) -> "RepositoryList":
    """List template repositories, the built-in one (prism's bundled templates) first.

    Examples:

      prism templates repo list
    """
    from prism.templates.repos.results import RepositoryList
    from prism.templates.repos.store import RepositoryStore

    return RepositoryList(repositories=RepositoryStore(home()).list())


@repo_app.command("update")
@renders(_repos_view)
def repo_update(
    name: Annotated[str | None, typer.Argument(help="One repository (default: all).")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "RepositoryList":
    """Fetch repositories again; one that fails its checks stays as it was.

    Installed templates are not changed: that is `prism templates update`.

    Examples:

      prism templates repo update

      prism templates repo update lab
    """
    from prism.templates.repos.results import RepositoryList
    from prism.templates.repos.store import RepositoryStore

    with stderr_console().status("Fetching template repositories..."):
        updated = RepositoryStore(home()).update(name)
    return RepositoryList(
        repositories=[r.model_copy(update={"previous_commit": before}) for r, before in updated]
    )


def _removed_view(result: "RepositoryResult") -> "RenderableType":
    return plain(f"Removed repository {result.repository.name}; installed templates stay.")


@repo_app.command("remove")
@renders(_removed_view)
def repo_remove(
    name: Annotated[str, typer.Argument(help="Repository name.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "RepositoryResult":
    """Remove a template repository (templates installed from it stay yours).

    Examples:

      prism templates repo remove lab
    """
    from prism.templates.repos.results import RepositoryResult
    from prism.templates.repos.store import RepositoryStore

    return RepositoryResult(repository=RepositoryStore(home()).remove(name))


def _search_view(result: "SearchResult") -> "RenderableType":
    from rich.table import Table

    if not result.entries:
        return plain(f"No template matches {result.query!r}.")
    table = Table(title=f"Templates matching {result.query!r}", title_justify="left")
    table.add_column("template", no_wrap=True)
    for column in ("version", "domain", "tags", "description", "installed"):
        table.add_column(column)
    for e in result.entries:
        version = e.version if e.compatible else f"{e.version} (not for this prism)"
        table.add_row(
            plain(f"{e.repository}/{e.name}"),
            plain(version),
            plain(e.domain or "-"),
            plain(", ".join(e.tags)),
            plain(e.description),
            plain(e.installed or "-"),
        )
    return table


@app.command("search")
@renders(_search_view)
def search(
    text: Annotated[
        str, typer.Argument(help="Words to find in name, tags, description, domain.")
    ] = "",
    repo: Annotated[str | None, typer.Option("--repo", help="Search one repository.")] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> "SearchResult":
    """Search the templates of every repository; every word must match.

    Name, tags, description and domain are searched, in the built-in repository too.

    Examples:

      prism templates search genomics

      prism templates search "python gpu" --output json

      prism templates search --repo lab
    """
    from prism.templates.repos.installs import Installer
    from prism.templates.repos.results import SearchResult

    return SearchResult(query=text, entries=Installer(home()).search(text, repo))


def _install_view(result: "InstallResult") -> "RenderableType":
    i = result.installation
    was = f" (was {result.previous_version})" if result.previous_version else ""
    return plain(
        f"Installed {i.repository}/{i.name} {i.version}{was} as template {i.slug}: {i.path}"
    )


@app.command("install")
@renders(_install_view)
def install(
    reference: Annotated[
        str, typer.Argument(help="REPOSITORY/NAME or REPOSITORY/NAME@VERSION (newest if none).")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a template of yours with the same name.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "InstallResult":
    """Install a template from a repository into your templates.

    Checked before it is written: checksum, version, the prism versions it works with, and
    its parents.

    Examples:

      prism templates install lab/bio-workstation

      prism templates install lab/bio-workstation@1.0.0
    """
    from prism.templates.repos.installs import Installer

    return Installer(home()).install(reference, force=force)


def _update_view(result: "UpdateResult") -> "RenderableType":
    from rich.console import Group

    lines = []
    for change in result.updates:
        lines.append(plain(f"{change.slug}: {change.from_version} -> {change.to_version}", "bold"))
        lines += [plain(f"  {line}") for line in change.changes]
    if result.up_to_date:
        lines.append(plain(f"Up to date: {', '.join(result.up_to_date)}"))
    if not lines:
        lines.append(plain("No templates installed from repositories."))
    return Group(*lines)


@app.command("update")
@renders(_update_view)
def update(
    name: Annotated[
        str | None, typer.Argument(help="One installed template (default: all).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Update even a template edited since its install.")
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
) -> "UpdateResult":
    """Update installed templates to their newest version, showing what changed.

    The newest version their repository has for this prism; a template you edited since
    its install is kept unless --force.

    Examples:

      prism templates update

      prism templates update bio-workstation --output json
    """
    from prism.templates.repos.installs import Installer

    with stderr_console().status("Fetching template repositories..."):
        return Installer(home()).update(name, force=force)


def _history_view(result: "HistoryResult") -> "RenderableType":
    from rich.table import Table

    history = result.history
    table = Table(title=f"History of {history.template}", title_justify="left")
    for column in ("version", "recorded", "how", "checksum", ""):
        table.add_column(column)
    for entry in history.versions:
        table.add_row(
            plain(entry.version or "-"),
            plain(entry.recorded_at),
            plain(entry.source),
            plain(entry.checksum.removeprefix("sha256:")[:12]),
            "current" if entry.current else "",
        )
    return table


@app.command("history")
@renders(_history_view)
def history(
    name: Annotated[str, typer.Argument(help="One of your templates.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "HistoryResult":
    """Show the versions one of your templates has had.

    Installed, updated, edited, written by templates new or the browser form, rolled back.

    Examples:

      prism templates history bio-workstation
    """
    from prism.templates.repos.results import HistoryResult
    from prism.templates.repos.versions import history_of

    return HistoryResult(history=history_of(home(), name))


@app.command("rollback")
@renders(_history_view)
def rollback(
    name: Annotated[str, typer.Argument(help="One of your templates.")],
    version: Annotated[str, typer.Argument(help="A version from its history.")],
    output: OutputOption = OutputFormat.TABLE,
) -> "HistoryResult":
    """Put back a version of one of your templates from its history (checked first).

    Examples:

      prism templates rollback bio-workstation 1.0.0
    """
    from prism.templates.repos.results import HistoryResult
    from prism.templates.repos.versions import rollback as roll_back

    rolled, before = roll_back(home(), name, version)
    stderr_console().print(plain(f"{rolled.template}: {before or '?'} -> {version}"))
    return HistoryResult(history=rolled)
