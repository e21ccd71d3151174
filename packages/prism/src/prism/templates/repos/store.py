"""Template repositories a user has added: git clones in ``<state>/repositories/NAME``, and
the record of each (its URL, the commit in use) in ``<state>/repositories.json``.

Adding or updating clones into a temporary folder and checks the index and every checksum
there; only a repository that passes replaces the one in use, so a bad update leaves the
previous state whole. The templates bundled with prism are the built-in repository,
``builtin``, which needs no clone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import yaml

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_json
from prism.templates.repos.index import IndexEntry, RepoIndex, checksum, read_index, read_reviews
from prism.templates.repos.results import Repository
from prism.templates.results import Review

__all__ = ["BUILTIN", "RepositoryStore", "Source"]

BUILTIN = "builtin"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_GIT_TIMEOUT = 300


@dataclass(frozen=True)
class Source:
    """One repository as it is now: its index, and where its files are read from."""

    name: str
    index: RepoIndex
    folder: Path | None
    """The clone; None for the built-in repository (read from prism's package)."""

    def read(self, entry: IndexEntry) -> bytes:
        if self.folder is None:
            name = Path(entry.path).name
            bundled = resources.files("prism.templates").joinpath("bundled").joinpath(name)
            return bundled.read_bytes()
        return (self.folder / entry.path).read_bytes()

    def reviews(self) -> list[Review]:
        return read_reviews(self.folder) if self.folder is not None else []


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _git(*args: str, cwd: Path | None = None) -> str:
    if shutil.which("git") is None:
        raise ToolError(
            "PRISM_GIT_MISSING",
            "Template repositories are git repositories, and git is not installed.",
            suggestions=["Install it: apt-get install git"],
            exit_code=ExitCode.UNAVAILABLE,
        )
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(
            "PRISM_REPO_TIMEOUT",
            f"git {args[0]} did not finish within {_GIT_TIMEOUT} seconds.",
            suggestions=["Check the network and the repository's address, then try again."],
            exit_code=ExitCode.TIMEOUT,
        ) from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ToolError(
            "PRISM_REPO_UNREACHABLE",
            f"git {args[0]} failed: {reason}",
            suggestions=[
                "Check the repository's address and that you may read it"
                " (git ls-remote URL shows whether git can).",
            ],
            context={"git": list(args)},
            exit_code=ExitCode.UNAVAILABLE,
        )
    return done.stdout.strip()


def builtin_index() -> RepoIndex:
    """The bundled templates as a repository index, checksums computed."""
    entries = []
    bundled = resources.files("prism.templates").joinpath("bundled")
    for item in sorted(bundled.iterdir(), key=lambda e: e.name):
        if not item.name.endswith((".yml", ".yaml")):
            continue
        data = item.read_bytes()
        spec = yaml.safe_load(data) or {}
        tags = spec.get("tags") or {}
        entries.append(
            IndexEntry(
                name=spec.get("slug") or Path(item.name).stem,
                version=str(spec.get("version") or "1.0.0"),
                path=f"bundled/{item.name}",
                checksum=checksum(data),
                title=spec.get("name"),
                description=spec.get("description", ""),
                tags=[f"{k}:{v}" if v not in ("true", True) else k for k, v in tags.items()],
                domain=spec.get("domain"),
                maintainer=spec.get("maintainer"),
            )
        )
    return RepoIndex(
        name=BUILTIN, description="The templates bundled with prism", templates=entries
    )


class RepositoryStore:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.folder = home / "repositories"
        self.record_file = home / "repositories.json"

    def _records(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.record_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, records: dict[str, dict[str, str]]) -> None:
        private_dir(self.home)
        atomic_write_json(self.record_file, records, private=True)

    def _record(self, name: str) -> dict[str, str]:
        record = self._records().get(name)
        if record is None:
            known = ", ".join([BUILTIN, *sorted(self._records())])
            raise ToolError(
                "PRISM_REPO_NOT_FOUND",
                f"No template repository named {name!r}.",
                suggestions=[f"Known: {known}. Add one: prism templates repo add NAME URL"],
                exit_code=ExitCode.NOT_FOUND,
            )
        return record

    def _describe(self, name: str, record: dict[str, str], index: RepoIndex) -> Repository:
        return Repository(
            name=name,
            url=record.get("url", ""),
            commit=record.get("commit"),
            templates=len({e.name for e in index.templates}),
            versions=len(index.templates),
            added_at=record.get("added_at"),
            updated_at=record.get("updated_at"),
            builtin=name == BUILTIN,
        )

    def add(self, name: str, url: str) -> Repository:
        if not _NAME.match(name) or name == BUILTIN:
            raise ToolError(
                "PRISM_REPO_NAME_INVALID",
                f"{name!r} cannot name a repository.",
                suggestions=[
                    f"Use lowercase letters, digits and '-' (not {BUILTIN!r}), e.g. lab-templates."
                ],
                exit_code=ExitCode.USAGE,
            )
        records = self._records()
        if name in records:
            raise ToolError(
                "PRISM_REPO_EXISTS",
                f"A repository named {name!r} is already added ({records[name]['url']}).",
                suggestions=[f"Update it: prism templates repo update {name}"],
                exit_code=ExitCode.CONFLICT,
            )
        index, commit = self._fetch(name, url)
        now = _now()
        records[name] = {"url": url, "commit": commit, "added_at": now, "updated_at": now}
        self._save(records)
        return self._describe(name, records[name], index)

    def _fetch(self, name: str, url: str) -> tuple[RepoIndex, str]:
        """Clone into a temporary folder, check it, and only then put it in place."""
        private_dir(self.folder)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self.folder))
        try:
            _git("clone", "--quiet", "--depth=1", url, str(staging / "clone"))
            index = read_index(staging / "clone", name)
            commit = _git("rev-parse", "HEAD", cwd=staging / "clone")
            target = self.folder / name
            if target.exists():
                target.rename(staging / "previous")
            (staging / "clone").rename(target)
            return index, commit
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def update(self, name: str | None = None) -> list[tuple[Repository, str | None]]:
        """Fetch again (one, or all); each with the commit it had before."""
        records = self._records()
        names = [name] if name else sorted(records)
        updated = []
        for repo in names:
            record = self._record(repo) if name else records[repo]
            before = record.get("commit")
            index, commit = self._fetch(repo, record["url"])
            record.update(commit=commit, updated_at=_now())
            records[repo] = record
            self._save(records)
            updated.append((self._describe(repo, record, index), before))
        return updated

    def remove(self, name: str) -> Repository:
        records = self._records()
        record = self._record(name)
        described = self._describe(name, record, self.source(name).index)
        del records[name]
        self._save(records)
        shutil.rmtree(self.folder / name, ignore_errors=True)
        return described

    def source(self, name: str) -> Source:
        if name == BUILTIN:
            return Source(BUILTIN, builtin_index(), None)
        self._record(name)
        folder = self.folder / name
        return Source(name, read_index(folder, name), folder)

    def sources(self) -> list[Source]:
        return [self.source(BUILTIN), *(self.source(n) for n in sorted(self._records()))]

    def list(self) -> list[Repository]:
        found = [self._describe(BUILTIN, {"url": "(bundled with prism)"}, builtin_index())]
        for name, record in sorted(self._records().items()):
            found.append(self._describe(name, record, self.source(name).index))
        return found
