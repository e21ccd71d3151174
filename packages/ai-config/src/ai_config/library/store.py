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
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ai_config.config import LibraryConfig, SourcePin, load_config, save_config
from ai_config.library.git import Git
from ai_config.library.index import TreeIndex
from ai_config.library.paths import library_path
from ai_config.safety import Safety
from groundwork.errors import ExitCode, ToolError
from groundwork.state import atomic_write_json, atomic_write_text, private_dir

__all__ = ["Library", "LibraryFile", "OverrideStatus", "UpdateReport"]

OverrideState = Literal[
    "clean", "base-changed", "conflict", "personal-only", "override", "removed-upstream"
]


@dataclass(frozen=True)
class LibraryFile:
    path: str
    origin: Literal["base", "personal", "override"]
    location: Path


@dataclass(frozen=True)
class OverrideStatus:
    path: str
    state: OverrideState
    forked_from: str | None


@dataclass
class UpdateReport:
    old: str
    new: str
    upstream_changed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    removed_upstream: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "upstream_changed": self.upstream_changed,
            "merged": self.merged,
            "conflicts": self.conflicts,
            "removed_upstream": self.removed_upstream,
            "dry_run": self.dry_run,
        }


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
                args = (
                    ["clone", "-q"]
                    + (["--branch", branch] if branch else [])
                    + [source, str(self.base_dir)]
                )
                Git(self.base_dir.parent).run(*args)
            else:
                self._create_starter()
            self.personal_dir.mkdir(parents=True, exist_ok=True)
            self.personal.run("init", "-q", "-b", "main")
            self.personal.run("commit", "-q", "--allow-empty", "-m", "Personal library")
            atomic_write_json(self.forks_file, {})
            self._write_lock(self.base.head())
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
            index = TreeIndex(layer, self.home / "state" / f"index-{layer.name}.json")
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
        rel = library_path(path)
        candidates = [(self.personal_dir, "personal")] + [
            (layer, "base") for layer in reversed(self.layers())
        ]
        for candidate, origin in candidates:
            if (candidate / rel).is_file():
                return LibraryFile(rel, origin, candidate / rel)  # type: ignore[arg-type]
        raise ToolError(
            "AI_CONFIG_LIBRARY_FILE_NOT_FOUND",
            f"No library file {rel!r}.",
            suggestions=["List them: ai-config library files"],
            exit_code=ExitCode.NOT_FOUND,
        )

    def status(self, *, fetch: bool = False) -> dict[str, Any]:
        self.require()
        if fetch and self._has_upstream():
            self.base.run("fetch", "-q")
        base_index, base_reread = TreeIndex(
            self.base_dir, self.home / "state" / "index-base.json"
        ).scan()
        personal_index, personal_reread = TreeIndex(
            self.personal_dir, self.home / "state" / "index-personal.json"
        ).scan()
        head = self.base.head()
        compare_to = self.base.out("rev-parse", "@{u}") if self._has_upstream() else head
        forks = self.forks()
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
            overrides.append(OverrideStatus(rel, kind, forked))
        ahead = behind = 0
        if self._has_upstream():
            counts = self.base.out("rev-list", "--left-right", "--count", "HEAD...@{u}").split()
            ahead, behind = int(counts[0]), int(counts[1])
        return {
            "base_revision": head,
            "pinned": self._read_lock(),
            "upstream": self._upstream_name(),
            "ahead": ahead,
            "behind": behind,
            "base_edited_in_place": not self.base.is_clean(),
            "files": len(set(base_index) | set(personal_index)),
            "files_reread": base_reread + personal_reread,
            "overrides": [o.__dict__ for o in overrides],
        }

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

    # -- updates ------------------------------------------------------------------------------

    def update(self, *, dry_run: bool = False, frozen: bool = False) -> UpdateReport:
        self.require()
        if not self.base.is_clean():
            raise ToolError(
                "AI_CONFIG_BASE_EDITED",
                "The base library was edited in place, so an update could overwrite those edits.",
                suggestions=[
                    "Keep them as overrides: copy each edited file aside, run"
                    f" `git -C {self.base_dir} checkout -- .`, then `ai-config library edit PATH`.",
                    f"See what changed: git -C {self.base_dir} status",
                ],
                exit_code=ExitCode.CONFLICT,
            )
        if not self._has_upstream():
            raise ToolError(
                "AI_CONFIG_NO_UPSTREAM",
                "This base library has no upstream to update from (it came from the starter).",
                suggestions=["Start from a shared library: ai-config init --library URL"],
                exit_code=ExitCode.NOT_FOUND,
            )
        self.base.run("fetch", "-q")
        old = self.base.head()
        new = self.base.out("rev-parse", "@{u}")
        report = UpdateReport(old, new, dry_run=dry_run)
        if frozen and old != new:
            raise ToolError(
                "AI_CONFIG_LOCK_FROZEN",
                f"Upstream moved ({old[:8]} -> {new[:8]}) but --frozen forbids moving the pin.",
                suggestions=["Run without --frozen to update, or keep the pinned revision."],
                exit_code=ExitCode.CONFLICT,
            )
        report.upstream_changed = self.base.changed_files(old, new) if old != new else []
        plans = []
        for rel, forked in sorted(self.forks().items()):
            if forked == new or not (self.personal_dir / rel).exists():
                continue
            upstream_text = self.base.show(new, rel)
            if upstream_text is None:
                report.removed_upstream.append(rel)
                continue
            fork_text = self.base.show(forked, rel) or ""
            if fork_text != upstream_text:
                plans.append((rel, fork_text, upstream_text))
        if old == new and not plans:
            return report
        if dry_run:
            for rel, fork_text, upstream_text in plans:
                _, conflicts = self._merge(rel, fork_text, upstream_text, write=False)
                (report.conflicts if conflicts else report.merged).append(rel)
            return report
        touched = [self.personal_dir, self.forks_file, self.lock_file]
        journal = self.home / "state" / "update-in-progress.json"
        atomic_write_json(journal, {"old": old, "new": new})
        try:
            with self.safety.change("library update", touched, old=old, new=new):
                if old != new:
                    self.base.run("merge", "-q", "--ff-only", new)
                forks = self.forks()
                for rel, fork_text, upstream_text in plans:
                    _, conflicts = self._merge(rel, fork_text, upstream_text, write=True)
                    (report.conflicts if conflicts else report.merged).append(rel)
                    forks[rel] = new
                atomic_write_json(self.forks_file, forks)
                self.personal.commit_all(f"Merge base {old[:8]}..{new[:8]}")
                self._write_lock(new)
        except BaseException:
            self.base.run("reset", "-q", "--hard", old, check=False)
            raise
        journal.unlink()
        return report

    def interrupted_update(self) -> dict[str, str] | None:
        """An update that a crash cut short; running update again finishes it."""
        try:
            data: dict[str, str] = json.loads(
                (self.home / "state" / "update-in-progress.json").read_text("utf-8")
            )
        except (FileNotFoundError, ValueError):
            return None
        return data

    def _merge(
        self, rel: str, fork_text: str, upstream_text: str, *, write: bool
    ) -> tuple[str, int]:
        """Three-way merge of a personal override with git merge-file; returns (text, conflicts)."""
        mine = self.personal_dir / rel
        with tempfile.TemporaryDirectory() as tmp:
            fork_file, upstream_file = Path(tmp) / "fork", Path(tmp) / "upstream"
            fork_file.write_text(fork_text, encoding="utf-8")
            upstream_file.write_text(upstream_text, encoding="utf-8")
            done = self.personal.run(
                "merge-file",
                "-p",
                "-L",
                f"personal {rel}",
                "-L",
                "base when forked",
                "-L",
                "upstream",
                str(mine),
                str(fork_file),
                str(upstream_file),
                check=False,
            )
        if done.returncode < 0 or done.returncode > 127:
            raise ToolError(
                "AI_CONFIG_MERGE_FAILED",
                f"git merge-file could not merge {rel}: {done.stderr.strip()}",
                suggestions=["Resolve it by hand: ai-config library diff " + rel],
            )
        if write:
            atomic_write_text(mine, done.stdout)
        return done.stdout, done.returncode

    def rollback(self, revision: str | None) -> tuple[str, str]:
        """Move the base back (default: one commit); returns (from, to) so it can roll forward."""
        self.require()
        if not self.base.is_clean():
            raise ToolError(
                "AI_CONFIG_BASE_EDITED",
                "The base library has local edits; a rollback would lose them.",
                suggestions=[f"See them: git -C {self.base_dir} status"],
                exit_code=ExitCode.CONFLICT,
            )
        old = self.base.head()
        target = revision or "HEAD~1"
        done = self.base.run("rev-parse", "--verify", f"{target}^{{commit}}", check=False)
        if done.returncode != 0:
            raise ToolError(
                "AI_CONFIG_REVISION_UNKNOWN",
                f"{target!r} is not a revision of the base library.",
                suggestions=["See the history: ai-config library log"],
                exit_code=ExitCode.NOT_FOUND,
            )
        new = done.stdout.strip()
        with self.safety.change("library rollback", [self.lock_file], old=old, new=new):
            self.base.run("reset", "-q", "--hard", new)
            self._write_lock(new)
        return old, new

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

    def log(self, count: int = 20) -> list[dict[str, str]]:
        self.require()
        text = self.base.out("log", f"-{count}", "--format=%H%x09%ad%x09%s", "--date=short")
        return [
            dict(zip(("revision", "date", "subject"), line.split("\t", 2), strict=True))
            for line in text.splitlines()
        ]

    # -- pins -----------------------------------------------------------------------------------

    def _has_upstream(self) -> bool:
        return self.base.run("rev-parse", "--abbrev-ref", "@{u}", check=False).returncode == 0

    def _upstream_name(self) -> str | None:
        done = self.base.run("rev-parse", "--abbrev-ref", "@{u}", check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def _write_lock(self, revision: str) -> None:
        url = self.base.run("remote", "get-url", "origin", check=False).stdout.strip() or None
        lock = self.read_lock()
        lock.sources["base"] = SourcePin(
            url=url, branch=self.base.upstream_branch(), revision=revision
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

    def _read_lock(self) -> str | None:
        base = self.read_lock().sources.get("base")
        return base.revision if base else None
