"""More library sources beside the base (a team's, your own), each pinned in library.lock.

Sources layer between the base and your personal library, in the order they were added: a file in
a later source overrides the same path in an earlier one. Updates fast-forward each source and
move its pin; `--frozen` refuses to move any pin.
"""

from __future__ import annotations

import builtins
import re
import shutil

from ai_config.config import SourcePin
from ai_config.library.git import Git
from ai_config.library.models import SourceInfo, SourceUpdate
from ai_config.library.remote import branch_to_clone
from ai_config.library.store import Library
from ai_config.library.update import Progress
from groundwork.errors import ExitCode, ToolError

__all__ = ["SourceSet", "update_all"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class SourceSet:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.root = library.home / "library" / "sources"

    def list(self) -> builtins.list[SourceInfo]:
        """The added sources, in the order they layer (the base is not one of them)."""
        return [
            SourceInfo(name=name, url=pin.url, branch=pin.branch, revision=pin.revision)
            for name, pin in self.library.read_lock().sources.items()
            if name != "base"
        ]

    def get(self, name: str) -> SourceInfo:
        for source in self.list():
            if source.name == name:
                return source
        raise ToolError(
            "AI_CONFIG_SOURCE_NOT_FOUND",
            f"No source named {name!r}.",
            suggestions=["List them: ai-config library source list"],
            exit_code=ExitCode.NOT_FOUND,
        )

    def add(self, name: str, url: str, branch: str | None) -> SourceInfo:
        self.library.require()
        if not _NAME.match(name) or name == "base":
            raise ToolError(
                "AI_CONFIG_SOURCE_NAME_INVALID",
                f"{name!r} is not a valid source name.",
                suggestions=["Use lowercase letters, digits, '-' and '_' (not 'base')."],
                exit_code=ExitCode.USAGE,
            )
        if any(source.name == name for source in self.list()):
            raise ToolError(
                "AI_CONFIG_SOURCE_EXISTS",
                f"A source named {name!r} exists already.",
                suggestions=[f"Remove it first: ai-config library source remove {name}"],
                exit_code=ExitCode.CONFLICT,
            )
        folder = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        token_url = self.library.library_url()
        chosen = branch_to_clone(
            url,
            branch,
            token_url,
            retry=f"ai-config library source add {name} {url} --branch BRANCH",
        )
        args = ["clone", "-q", *(["--branch", chosen] if chosen else []), url, str(folder)]
        with self.library.safety.change(
            "library source add", [self.library.lock_file, folder], source=name, url=url
        ):
            Git(self.root).run(*args, token_url=token_url)
            self._pin(name, url, Git(folder).head(), chosen or Git(folder).upstream_branch())
        return self.get(name)

    def remove(self, name: str) -> SourceInfo:
        """Drop a source: its pin (backed up) and its clone (which `source add` can make again:
        the audit log keeps its URL and revision)."""
        removed = self.get(name)
        with self.library.safety.change(
            "library source remove",
            [self.library.lock_file],
            source=name,
            url=removed.url,
            revision=removed.revision,
        ):
            lock = self.library.read_lock()
            del lock.sources[name]
            self.library.write_lock(lock)
            shutil.rmtree(self.root / name, ignore_errors=True)
        return removed

    def set_url(self, name: str, url: str) -> SourceInfo:
        """Point a library (``base`` or an added source) at its new URL, after it moved."""
        self.library.require()
        git = self.library.base if name == "base" else Git(self.root / self.get(name).name)
        lock = self.library.read_lock()
        pin = lock.sources.get(name)
        if pin is None:
            raise ToolError(
                "AI_CONFIG_SOURCE_NOT_FOUND",
                f"No source named {name!r}.",
                suggestions=["List them: ai-config library source list"],
                exit_code=ExitCode.NOT_FOUND,
            )
        old = pin.url
        with self.library.safety.change(
            "library source set-url", [self.library.lock_file], source=name, old=old, new=url
        ):
            git.run("remote", "set-url", "origin", url)
            lock.sources[name] = SourcePin(url=url, branch=pin.branch, revision=pin.revision)
            self.library.write_lock(lock)
        return SourceInfo(name=name, url=url, branch=pin.branch, revision=pin.revision)

    def update(self, *, frozen: bool, dry_run: bool) -> builtins.list[SourceUpdate]:
        """Fast-forward each source and move its pin; one report per source, moved or not."""
        results = []
        library_url = self.library.library_url()
        for name in (source.name for source in self.list()):
            git = Git(self.root / name)
            if not git.is_clean():
                raise ToolError(
                    "AI_CONFIG_SOURCE_EDITED",
                    f"The source {name!r} was edited in place; an update could overwrite that.",
                    suggestions=[f"See what changed: git -C {self.root / name} status"],
                    exit_code=ExitCode.CONFLICT,
                )
            git.run("fetch", "-q", token_url=library_url)
            old, new = git.head(), git.out("rev-parse", "@{u}")
            if old == new:
                results.append(SourceUpdate(source=name, old=old, new=new))
                continue
            if frozen:
                raise ToolError(
                    "AI_CONFIG_LOCK_FROZEN",
                    f"Source {name!r} moved upstream but --frozen forbids moving its pin.",
                    suggestions=["Run without --frozen to update."],
                    exit_code=ExitCode.CONFLICT,
                )
            results.append(
                SourceUpdate(source=name, old=old, new=new, changed=git.changed_files(old, new))
            )
            if not dry_run:
                git.run("merge", "-q", "--ff-only", new)
                url = git.run("remote", "get-url", "origin", check=False).stdout.strip()
                self._pin(name, url, new, git.upstream_branch())
        return results

    def _pin(self, name: str, url: str | None, revision: str, branch: str | None) -> None:
        lock = self.library.read_lock()
        lock.sources[name] = SourcePin(url=url or None, branch=branch, revision=revision)
        self.library.write_lock(lock)


def update_all(
    library: Library, *, dry_run: bool, frozen: bool, progress: Progress | None = None
) -> tuple[builtins.list[SourceUpdate], str | None]:
    """`library update`: the base (merging your overrides), then every added source; a notice
    when the base has no upstream."""
    library.require()
    updates, notice = [], None
    if library.upstream() is not None:
        updates.append(library.update(dry_run=dry_run, frozen=frozen, progress=progress))
    else:
        notice = "The base library has no upstream (it came from the starter): nothing to fetch."
    updates += SourceSet(library).update(frozen=frozen, dry_run=dry_run)
    return updates, notice
