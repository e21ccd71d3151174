"""The base library (a git clone, shared) and the personal library (its own git repository),
with what each personal override was forked from, so updates can merge instead of clobber.
"""

from __future__ import annotations

import bisect
import fnmatch
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ai_config.config import LibraryConfig, SourcePin, load_config, save_config
from ai_config.library.conflicts import ConflictRecords
from ai_config.library.git import Git, printable
from ai_config.library.gitscan import git_scan
from ai_config.library.index import Scan, TreeIndex
from ai_config.library.models import (
    LibraryFile,
    LibraryStatus,
    Origin,
    OverrideStatus,
    Revision,
    Side,
    SourceUpdate,
)
from ai_config.library.paths import contained, escapes, library_path
from ai_config.library.remote import branch_to_clone
from ai_config.safety import Safety
from ai_config.settings import Settings
from ai_config.sync.copies import is_conflict_copy
from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write_json

if TYPE_CHECKING:
    from ai_config.library.update import Progress

__all__ = ["Effective", "Library", "LibraryFile", "Origin"]


@dataclass
class Effective:
    """The effective library at one moment: each path's origin and layer, and its content hash
    (what an export read, for :mod:`ai_config.exports.inputs`)."""

    where: dict[str, tuple[Origin, Path]]
    sha: dict[str, str]

    @functools.cached_property
    def paths(self) -> list[str]:
        return sorted(self.where)

    def file(self, rel: str) -> LibraryFile:
        origin, root = self.where[rel]
        return LibraryFile(rel, origin, root / rel)

    def matching(self, pattern: str) -> list[str]:
        """The paths a glob matches (fnmatch's: ``*`` crosses folders), looking only at those
        under its literal prefix: 50 agents' globs over 10,000 files stay cheap."""
        prefix = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
        paths = self.paths
        start = bisect.bisect_left(paths, prefix)
        end = start
        while end < len(paths) and paths[end].startswith(prefix):
            end += 1
        return fnmatch.filter(paths[start:end], pattern)


SHARED_DIR = ".ai-config"
"""ai-config's own files inside the personal library: what travels with your files when a sync
tool shares the folder (fork records, the update lock); never a library file itself."""
UPDATE_LOCK = f"{SHARED_DIR}/update.lock"


class Library:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.base_dir = home / "library" / "base"
        chosen = Settings.load(home).personal_dir
        self.personal_dir = chosen or home / "library" / "personal"
        # In a synced folder the personal history stays on this machine: two machines
        # committing into one synced `.git` would corrupt it. A personal library that already
        # has its `.git` inside keeps it there.
        inside = self.personal_dir / ".git"
        outside = chosen is not None and not inside.exists()
        self.personal_git_dir = home / "state" / "personal.git" if outside else inside
        self.forks_file = self.personal_dir / SHARED_DIR / "forks.json"
        self.legacy_forks_file = home / "state" / "forks.json"
        self.conflicts = ConflictRecords(home / "state" / "conflicts.json")
        self.lock_file = home / "library.lock"
        self.base = Git(self.base_dir)
        self.personal = Git(
            self.personal_dir,
            git_dir=self.personal_git_dir if outside else None,
            exclude=(UPDATE_LOCK,),
        )
        self.safety = Safety(home)

    # -- set-up -------------------------------------------------------------------------------

    @property
    def initialised(self) -> bool:
        return (self.base_dir / ".git").is_dir() and self.personal_git_dir.is_dir()

    def require(self) -> None:
        if (self.base_dir / ".git").is_dir() and not self.personal_git_dir.is_dir():
            raise ToolError(
                "AI_CONFIG_PERSONAL_GIT_MISSING",
                f"The personal library ({self.personal_dir}) has lost its git history"
                f" ({self.personal_git_dir} is gone), so its changes cannot be kept or undone.",
                suggestions=[
                    "Start a new history with the files as they are: ai-config repair",
                    "Or put it back from a backup: ai-config backup list",
                ],
                context={"git_dir": str(self.personal_git_dir)},
                exit_code=ExitCode.NOT_FOUND,
            )
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
                chosen = branch_to_clone(
                    source,
                    branch,
                    source,
                    retry=f"ai-config init --library {source} --branch BRANCH",
                )
                args = ["clone", "-q", *(["--branch", chosen] if chosen else [])]
                Git(self.base_dir.parent).run(*args, source, str(self.base_dir), token_url=source)
            else:
                self._create_starter()
            self.personal_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_json(self.forks_file, {})
            self.init_personal_git("Personal library")
            self.write_base_pin(self.base.head())
        return self.base.head()

    def init_personal_git(self, message: str) -> None:
        """A new history for the personal library, with whatever files it has now."""
        self.personal.run("init", "-q", "-b", "main")
        self.personal.run("commit", "-q", "--allow-empty", "-m", message)
        self.personal.commit_all(message)

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
        """Which base revision each override was forked from. Kept beside the personal files
        (they sync together); ai-config 0.1 kept them in its state folder, read until the
        next change writes them in their new place."""
        for file in (self.forks_file, self.legacy_forks_file):
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue
            except ValueError:
                return {}  # a broken file: doctor reports it, repair rewrites it
            return {str(k): str(v) for k, v in data.items()}
        return {}

    def scans(self) -> dict[Path, Scan]:
        """One scan of each layer, the base first and the personal library last; a command
        that both reports status and checks exports scans once and hands this to both. The
        base and the sources are clones, scanned by git; the personal library by ai-config's
        own index (it tells conflicts by their markers)."""
        self.require()
        found = {layer: git_scan(layer, Git(layer)) for layer in self.layers()}
        found[self.personal_dir] = self.personal_scan()
        return found

    def personal_scan(self) -> Scan:
        """The personal library's files, from ai-config's index (a warm scan reads none)."""
        return TreeIndex(self.personal_dir, self.index_file).scan()

    @property
    def index_file(self) -> Path:
        """A cache of the personal files' size, mtime and hash (this machine's)."""
        return self.home / "state" / "index-personal.json"

    def effective(self, scans: dict[Path, Scan] | None = None) -> Effective:
        """The effective library from one scan of each layer (a warm scan reads no file)."""
        scans = scans if scans is not None else self.scans()
        where: dict[str, tuple[Origin, Path]] = {}
        sha: dict[str, str] = {}
        copies = self.conflicts.copies()
        for layer, scan in scans.items():
            mine = layer == self.personal_dir
            for rel, state in scan.files.items():
                if mine and (rel in copies or is_conflict_copy(rel)):
                    continue
                origin: Origin = ("override" if rel in where else "personal") if mine else "base"
                where[rel] = (origin, layer)
                sha[rel] = state.sha256
        return Effective(where, sha)

    def files(self, pattern: str | None = None) -> list[LibraryFile]:
        """The effective library: each layer overrides the one below, personal files win."""
        effective = self.effective()
        return [effective.file(rel) for rel in effective.matching(pattern or "*")]

    def glob(self, pattern: str) -> dict[str, Path]:
        """The effective files matching one glob, found without scanning the whole library
        (``agents/*.yaml``: a few folder listings); symlinks leading outside are left out."""
        found: dict[str, Path] = {}
        for layer in [*self.layers(), self.personal_dir]:
            for path in layer.glob(pattern):
                rel = path.relative_to(layer).as_posix()
                if path.is_file() and escapes(layer, rel) is None:
                    found[rel] = path
        return found

    def resolve(self, path: str) -> LibraryFile:
        """The file a library path means now: yours, else the topmost layer's."""
        rel = library_path(path)
        below = [
            contained(layer, rel) for layer in reversed(self.layers()) if (layer / rel).is_file()
        ]
        mine = self.personal_dir / rel
        if mine.is_file() and contained(self.personal_dir, rel):
            return LibraryFile(rel, "override" if below else "personal", mine)
        if below:
            return LibraryFile(rel, "base", below[0])
        raise ToolError(
            "AI_CONFIG_LIBRARY_FILE_NOT_FOUND",
            f"No library file {rel!r}.",
            suggestions=["List them: ai-config library files"],
            exit_code=ExitCode.NOT_FOUND,
        )

    def status(
        self, *, fetch: bool = False, scans: dict[Path, Scan] | None = None, timed: bool = True
    ) -> LibraryStatus:
        """With ``timed``, its time is kept for doctor (a fetch's time is the network's)."""
        import time

        from ai_config.library.status import status
        from ai_config.maintenance import perf

        started = time.perf_counter()
        found = status(self, fetch=fetch, scans=scans)
        if timed and not fetch:
            elapsed = (time.perf_counter() - started) * 1000
            perf.record(self.home, "status", elapsed, files=found.files)
        return found

    # -- personal edits (ai_config.library.overrides) ----------------------------------------

    def edit(self, path: str, *, open_editor: bool = True) -> Path:
        """Copy a base file into the personal library (recording its base revision) and edit it."""
        from ai_config.library.overrides import edit

        return edit(self, path, open_editor=open_editor)

    def new(self, path: str, *, open_editor: bool = True) -> Path:
        from ai_config.library.overrides import new

        return new(self, path, open_editor=open_editor)

    def forget(self, path: str) -> OverrideStatus:
        """Drop a personal copy (after a backup), so the file below it shows through again."""
        from ai_config.library.overrides import forget

        return forget(self, path)

    def settle(self, path: str, side: Side, *, merged: bytes | None = None) -> OverrideStatus:
        """Resolve a conflict an update (or a sync tool) left: keep ours, take theirs, or
        accept the file as edited (or the ``merged`` bytes)."""
        from ai_config.library.overrides import resolve

        return resolve(self, path, side, merged=merged)

    # -- moving the base (ai_config.library.update) ---------------------------------------------

    def update(
        self, *, dry_run: bool = False, frozen: bool = False, progress: Progress | None = None
    ) -> SourceUpdate:
        """Fetch, fast-forward the base and merge upstream changes into the overrides."""
        import time

        from ai_config.library.update import update
        from ai_config.maintenance import perf

        started = time.perf_counter()
        done = update(self, dry_run=dry_run, frozen=frozen, progress=progress)
        if not dry_run:
            elapsed = (time.perf_counter() - started) * 1000
            perf.record(self.home, "update", elapsed, changed=len(done.changed))
        return done

    def update_to(self, revision: str) -> SourceUpdate:
        """Finish an interrupted update: to the revision it was going to, without fetching."""
        from ai_config.library.update import update

        return update(self, target=revision)

    def rollback(self, revision: str | None) -> SourceUpdate:
        from ai_config.library.update import rollback

        return rollback(self, revision)

    def interrupted_update(self) -> dict[str, str] | None:
        from ai_config.library.update import interrupted_update

        return interrupted_update(self)

    def diff(self, path: str | None = None, *, upstream: bool = False) -> str:
        """A unified diff as text; bytes that are not UTF-8 show as replacement characters."""
        self.require()
        if upstream:
            where = [library_path(path)] if path else []
            return printable(self.base.run("diff", "HEAD", "@{u}", "--", *where).stdout)
        from ai_config.library.diffs import unified

        paths = [library_path(path)] if path else list(self.forks())
        chunks = []
        for rel in paths:
            if path is None and (escapes(self.personal_dir, rel) or escapes(self.base_dir, rel)):
                continue  # never read through a symlink that leads outside (status reports it)
            mine = contained(self.personal_dir, rel)
            if not mine.is_file():
                continue
            base_file = contained(self.base_dir, rel)
            old = base_file.read_bytes() if base_file.is_file() else None
            chunks.append(unified(rel, old, mine.read_bytes()))
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

    def profile_sources(self) -> list[str]:
        """The sources the profile in use layers ([]: no profile, or one naming none: all).
        Read without the profiles' model: every command that layers the library asks."""
        try:
            data = json.loads((self.home / "profiles.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return []  # no profiles (`profile list` reports a broken file)
        active = data.get("active") if isinstance(data, dict) else None
        entry = data.get("profiles", {}).get(active) if active else None
        return [str(s) for s in entry.get("sources", [])] if isinstance(entry, dict) else []

    def layers(self) -> list[Path]:
        """Where files come from, lowest first: the base, then each added source in order
        (those the profile in use names, when it names some)."""
        chosen = self.profile_sources()
        extra = [
            self.home / "library" / "sources" / name
            for name in self.read_lock().sources
            if name != "base" and (not chosen or name in chosen)
        ]
        return [self.base_dir, *[p for p in extra if p.is_dir()]]
