"""The base library (a git clone, shared) and the personal library (its own git repository),
with what each personal override was forked from, so updates can merge instead of clobber.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Literal

from ai_config.config import LibraryConfig, SourcePin, load_config, save_config
from ai_config.library.git import Git
from ai_config.library.index import TreeIndex
from ai_config.library.models import (
    LibraryFile,
    LibraryStatus,
    OverrideState,
    OverrideStatus,
    Revision,
    SourceUpdate,
)
from ai_config.library.paths import library_path
from ai_config.safety import Safety
from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write_json, atomic_write_text

__all__ = ["Library", "LibraryFile"]


class Library:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.base_dir = home / "library" / "base"
        self.personal_dir = home / "library" / "personal"
        self.forks_file = home / "state" / "forks.json"
        self.lock_file = home / "library.lock"
        self.base = Git(self.base_dir)
        self.personal = Git(self.personal_dir)
        self.safety = Safety(home)

    # -- set-up -------------------------------------------------------------------------------

    @property
    def initialised(self) -> bool:
        return (self.base_dir / ".git").is_dir() and (self.personal_dir / ".git").is_dir()

    def require(self) -> None:
        if not self.initialised:
            raise ToolError(
                "AI_CONFIG_NOT_INITIALISED",
                f"There is no library in {self.home} yet.",
                suggestions=["Create one: ai-config init (or ai-config init --library URL)"],
                exit_code=ExitCode.NOT_FOUND,
            )

    def init(self, source: str | None, branch: str | None) -> str:
        if self.initialised:
            raise ToolError(
                "AI_CONFIG_ALREADY_INITIALISED",
                f"A library exists already in {self.home}.",
                suggestions=[
                    "Use it (ai-config library status), or set AI_CONFIG_HOME to start another."
                ],
                exit_code=ExitCode.CONFLICT,
            )
        private_dir(self.home)
        touched = [self.home / "library", self.home / "state", self.lock_file]
        with self.safety.change("init", touched, source=source or "starter"):
            self.base_dir.parent.mkdir(parents=True, exist_ok=True)
            if source:
                args = ["clone", "-q", *(["--branch", branch] if branch else [])]
                Git(self.base_dir.parent).run(*args, source, str(self.base_dir), token_url=source)
            else:
                self._create_starter()
            self.personal_dir.mkdir(parents=True, exist_ok=True)
            self.personal.run("init", "-q", "-b", "main")
            self.personal.run("commit", "-q", "--allow-empty", "-m", "Personal library")
            atomic_write_json(self.forks_file, {})
            self.write_base_pin(self.base.head())
        return self.base.head()

    def _create_starter(self) -> None:
        starter = resources.files("ai_config.starter")
        self.base_dir.mkdir(parents=True)
        stack = [(starter, self.base_dir)]
        while stack:
            folder, target = stack.pop()
            for entry in folder.iterdir():
                if entry.name.startswith(("__", ".")):
                    continue
                if entry.is_dir():
                    (target / entry.name).mkdir()
                    stack.append((entry, target / entry.name))
                else:
                    (target / entry.name).write_bytes(entry.read_bytes())
        self.base.run("init", "-q", "-b", "main")
        self.base.commit_all("Starter library from ai-config")

    # -- reading ------------------------------------------------------------------------------

    def forks(self) -> dict[str, str]:
        try:
            data = json.loads(self.forks_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def files(self, pattern: str | None = None) -> list[LibraryFile]:
        """The effective library: each layer overrides the one below, personal files win."""
        self.require()
        found: dict[str, LibraryFile] = {}
        for layer in self.layers():
            name = "base" if layer == self.base_dir else f"source-{layer.name}"
            index = TreeIndex(layer, self.home / "state" / f"index-{name}.json")
            for rel in index.scan()[0]:
                found[rel] = LibraryFile(rel, "base", layer / rel)
        personal, _ = TreeIndex(
            self.personal_dir, self.home / "state" / "index-personal.json"
        ).scan()
        for rel in personal:
            origin: Literal["personal", "override"] = "override" if rel in found else "personal"
            found[rel] = LibraryFile(rel, origin, self.personal_dir / rel)
        chosen = sorted(found.values(), key=lambda f: f.path)
        if pattern:
            chosen = [f for f in chosen if fnmatch.fnmatch(f.path, pattern)]
        return chosen

    def resolve(self, path: str) -> LibraryFile:
        """The file a library path means now: yours, else the topmost layer's."""
        rel = library_path(path)
        below = [layer / rel for layer in reversed(self.layers()) if (layer / rel).is_file()]
        mine = self.personal_dir / rel
        if mine.is_file():
            return LibraryFile(rel, "override" if below else "personal", mine)
        if below:
            return LibraryFile(rel, "base", below[0])
        raise ToolError(
            "AI_CONFIG_LIBRARY_FILE_NOT_FOUND",
            f"No library file {rel!r}.",
            suggestions=["List them: ai-config library files"],
            exit_code=ExitCode.NOT_FOUND,
        )

    def status(self, *, fetch: bool = False) -> LibraryStatus:
        self.require()
        if fetch and self.upstream() is not None:
            self.base.run("fetch", "-q", token_url=self.library_url())
        base_index, base_reread = TreeIndex(
            self.base_dir, self.home / "state" / "index-base.json"
        ).scan()
        personal_index, personal_reread = TreeIndex(
            self.personal_dir, self.home / "state" / "index-personal.json"
        ).scan()
        branch = self.base.branch_state()
        forks = self.forks()
        compare_to = branch.head
        if branch.upstream and forks:
            compare_to = self.base.out("rev-parse", "@{u}")
        changed_since: dict[str, set[str]] = {}
        overrides = []
        for rel, state in sorted(personal_index.items()):
            forked = forks.get(rel)
            if state.conflict:
                kind: OverrideState = "conflict"
            elif forked is None:
                kind = "override" if rel in base_index else "personal-only"
            elif rel not in base_index:
                kind = "removed-upstream"
            else:
                if forked not in changed_since:
                    changed_since[forked] = set(self.base.changed_files(forked, compare_to))
                kind = "base-changed" if rel in changed_since[forked] else "clean"
            overrides.append(OverrideStatus(path=rel, state=kind, forked_from=forked))
        base_pin = self.read_lock().sources.get("base")
        return LibraryStatus(
            base_dir=self.base_dir,
            personal_dir=self.personal_dir,
            base_revision=branch.head,
            pinned=base_pin.revision if base_pin else None,
            upstream=branch.upstream,
            ahead=branch.ahead,
            behind=branch.behind,
            base_edited_in_place=not branch.clean,
            files=len(set(base_index) | set(personal_index)),
            files_reread=base_reread + personal_reread,
            overrides=overrides,
        )

    # -- personal edits -----------------------------------------------------------------------

    def edit(self, path: str, *, open_editor: bool = True) -> Path:
        """Copy a base file into the personal library (recording its base revision) and edit it."""
        self.require()
        rel = library_path(path)
        target = self.personal_dir / rel
        source = next(
            (layer / rel for layer in reversed(self.layers()) if (layer / rel).is_file()),
            self.base_dir / rel,
        )
        if not target.exists():
            if not source.is_file():
                raise ToolError(
                    "AI_CONFIG_LIBRARY_FILE_NOT_FOUND",
                    f"The base library has no file {rel!r} to edit.",
                    suggestions=[f"Create a personal file instead: ai-config library new {rel}"],
                    exit_code=ExitCode.NOT_FOUND,
                )
            with self.safety.change("library edit", [self.personal_dir, self.forks_file], path=rel):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                forks = self.forks()
                if source.parent == self.base_dir or source.is_relative_to(self.base_dir):
                    # Only base files get three-way merges on update; a copy of a file from an
                    # added source simply wins over it.
                    forks[rel] = self.base.head()
                    atomic_write_json(self.forks_file, forks)
                self.personal.commit_all(f"Override {rel}")
        if open_editor:
            self._open_editor(target)
            self.personal.commit_all(f"Edit {rel}")
        return target

    def new(self, path: str, *, open_editor: bool = True) -> Path:
        self.require()
        rel = library_path(path)
        target = self.personal_dir / rel
        if target.exists() or (self.base_dir / rel).exists():
            raise ToolError(
                "AI_CONFIG_LIBRARY_FILE_EXISTS",
                f"{rel} exists already.",
                suggestions=[f"Edit it instead: ai-config library edit {rel}"],
                exit_code=ExitCode.CONFLICT,
            )
        with self.safety.change("library new", [self.personal_dir], path=rel):
            target.parent.mkdir(parents=True, exist_ok=True)
            title = Path(rel).stem.replace("-", " ").replace("_", " ").capitalize()
            atomic_write_text(target, f"# {title}\n\n")
            self.personal.commit_all(f"Add {rel}")
        if open_editor:
            self._open_editor(target)
            self.personal.commit_all(f"Edit {rel}")
        return target

    def _open_editor(self, target: Path) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            return
        subprocess.run([*shlex.split(editor), str(target)], check=False)

    # -- moving the base (ai_config.library.update) ---------------------------------------------

    def update(self, *, dry_run: bool = False, frozen: bool = False) -> SourceUpdate:
        """Fetch, fast-forward the base and merge upstream changes into the overrides."""
        from ai_config.library.update import update

        return update(self, dry_run=dry_run, frozen=frozen)

    def rollback(self, revision: str | None) -> SourceUpdate:
        from ai_config.library.update import rollback

        return rollback(self, revision)

    def interrupted_update(self) -> dict[str, str] | None:
        from ai_config.library.update import interrupted_update

        return interrupted_update(self)

    def diff(self, path: str | None = None, *, upstream: bool = False) -> str:
        self.require()
        if upstream:
            return self.base.out("diff", "HEAD", "@{u}", *([library_path(path)] if path else []))
        paths = [library_path(path)] if path else [o for o in self.forks()]
        chunks = []
        for rel in paths:
            base_file, mine = self.base_dir / rel, self.personal_dir / rel
            if not mine.exists():
                continue
            done = self.personal.run(
                "diff",
                "--no-index",
                "--",
                str(base_file if base_file.exists() else os.devnull),
                str(mine),
                check=False,
            )
            chunks.append(done.stdout)
        return "".join(chunks)

    def log(self, count: int = 20) -> list[Revision]:
        self.require()
        text = self.base.out("log", f"-{count}", "--format=%H%x09%ad%x09%s", "--date=short")
        revisions = []
        for line in text.splitlines():
            revision, date, subject = line.split("\t", 2)
            revisions.append(Revision(revision=revision, date=date, subject=subject))
        return revisions

    # -- where the base comes from ------------------------------------------------------------

    def upstream(self) -> str | None:
        """The branch the base follows (``origin/main``); None for the starter library."""
        done = self.base.run("rev-parse", "--abbrev-ref", "@{u}", check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def library_url(self) -> str | None:
        """The base library's URL: the only place git may send AI_CONFIG_GIT_TOKEN."""
        return self.base.remote_url()

    def write_base_pin(self, revision: str) -> None:
        lock = self.read_lock()
        lock.sources["base"] = SourcePin(
            url=self.library_url(), branch=self.base.upstream_branch(), revision=revision
        )
        self.write_lock(lock)

    def read_lock(self) -> LibraryConfig:
        """library.lock, validated; an older format is migrated (after a backup) first."""
        return load_config(self.lock_file, self.safety)

    def write_lock(self, lock: LibraryConfig) -> None:
        save_config(self.lock_file, lock)

    def layers(self) -> list[Path]:
        """Where files come from, lowest first: the base, then each added source in order."""
        extra = [
            self.home / "library" / "sources" / name
            for name in self.read_lock().sources
            if name != "base"
        ]
        return [self.base_dir, *[p for p in extra if p.is_dir()]]
