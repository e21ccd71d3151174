"""Installing templates from repositories into the user's templates, updating them, searching
the repositories, and rolling a template back to a version it had.

An installed template is an ordinary file of ``<state>/templates/`` (so it launches, validates
and can be edited like any other); ``<state>/template-installs.json`` remembers where each came
from. Nothing is written before the template is checked: its checksum, its version against the
index, the prism versions it works with, and that it resolves (parents present, pins met).
"""

from __future__ import annotations

import difflib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_json, atomic_write_text
from prism import __version__
from prism.templates.catalog import catalog_for
from prism.templates.issues import TemplateInvalid
from prism.templates.loader import load_text
from prism.templates.model import TemplateFile
from prism.templates.repos.history import TemplateHistoryStore
from prism.templates.repos.index import IndexEntry, checksum
from prism.templates.repos.records import INSTALLS_FILE
from prism.templates.repos.results import (
    Change,
    Installation,
    InstallResult,
    SearchEntry,
    UpdateResult,
)
from prism.templates.repos.store import RepositoryStore, Source
from prism.templates.semver import parse_range, parse_version

__all__ = ["Installer", "describe_changes", "parse_reference"]


def parse_reference(reference: str) -> tuple[str, str, str | None]:
    """``REPO/NAME[@VERSION]`` as its parts."""
    repo, sep, rest = reference.partition("/")
    name, _, version = rest.partition("@")
    if not sep or not repo or not name:
        raise ToolError(
            "PRISM_TEMPLATE_REFERENCE_INVALID",
            f"{reference!r} does not name a template of a repository.",
            suggestions=[
                "Write REPOSITORY/NAME or REPOSITORY/NAME@VERSION, e.g. lab/bio-ws@1.2.0;"
                " find them with: prism templates search TEXT",
            ],
            exit_code=ExitCode.USAGE,
        )
    return repo, name, version or None


def _compatible(entry: IndexEntry) -> bool:
    return entry.prism_version is None or parse_range(entry.prism_version).allows(
        parse_version(__version__)
    )


def describe_changes(old_text: str, new_text: str) -> list[str]:
    """What changed between two versions of a template, field by field."""
    old: Any = yaml.safe_load(old_text) or {}
    new: Any = yaml.safe_load(new_text) or {}
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "packages" and isinstance(before, dict) and isinstance(after, dict):
            for kind in sorted(set(before) | set(after)):
                was, now = set(before.get(kind) or []), set(after.get(kind) or [])
                parts = [f"+{p}" for p in sorted(now - was)] + [f"-{p}" for p in sorted(was - now)]
                if parts:
                    changes.append(f"packages.{kind}: {' '.join(parts)}")
        elif before is None:
            changes.append(f"{key}: added")
        elif after is None:
            changes.append(f"{key}: removed")
        elif not isinstance(before, dict | list) and "\n" not in str(before) + str(after):
            changes.append(f"{key}: {before} -> {after}")
        else:
            lines = list(difflib.unified_diff(str(before).splitlines(), str(after).splitlines()))
            added = sum(1 for x in lines if x.startswith("+") and not x.startswith("+++"))
            removed = sum(1 for x in lines if x.startswith("-") and not x.startswith("---"))
            changes.append(f"{key}: changed (+{added} -{removed} lines)")
    return changes


class Installer:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.user_dir = home / "templates"
        self.records_file = home / INSTALLS_FILE
        self.repos = RepositoryStore(home)
        self.history = TemplateHistoryStore(home)

    def records(self) -> dict[str, Installation]:
        try:
            data = json.loads(self.records_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {slug: Installation.model_validate(r) for slug, r in data.items()}

    def save_records(self, records: dict[str, Installation]) -> None:
        private_dir(self.home)
        atomic_write_json(
            self.records_file, {s: r.model_dump() for s, r in records.items()}, private=True
        )

    def _entry(self, source: Source, name: str, version: str | None) -> IndexEntry:
        versions = source.index.versions(name)
        if not versions:
            names = sorted({e.name for e in source.index.templates})
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
            raise ToolError(
                "PRISM_TEMPLATE_NOT_IN_REPO",
                f"Repository {source.name} has no template {name!r}.",
                suggestions=[
                    f"Did you mean {', '.join(close)}?"
                    if close
                    else f"See what it has: prism templates search --repo {source.name}"
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        if version is not None:
            wanted = parse_version(version)
            for entry in versions:
                if entry.semver == wanted:
                    if not _compatible(entry):
                        raise ToolError(
                            "PRISM_TEMPLATE_INCOMPATIBLE",
                            f"{source.name}/{name} {entry.version} works with prism"
                            f" {entry.prism_version}; this is prism {__version__}.",
                            suggestions=[
                                "Install a version made for this prism (without @VERSION, the"
                                " newest that is), or upgrade prism.",
                            ],
                            context={"prism_version": entry.prism_version},
                            exit_code=ExitCode.CONFLICT,
                        )
                    return entry
            raise ToolError(
                "PRISM_TEMPLATE_VERSION_NOT_FOUND",
                f"Repository {source.name} has no version {version} of {name}.",
                suggestions=[f"Its versions: {', '.join(e.version for e in versions)}"],
                exit_code=ExitCode.NOT_FOUND,
            )
        compatible = [e for e in versions if _compatible(e)]
        if not compatible:
            raise ToolError(
                "PRISM_TEMPLATE_INCOMPATIBLE",
                f"No version of {source.name}/{name} works with prism {__version__}"
                f" (the newest, {versions[0].version}, needs prism {versions[0].prism_version}).",
                suggestions=["Upgrade prism, or ask the repository's maintainer for a version."],
                exit_code=ExitCode.CONFLICT,
            )
        return compatible[0]

    def _checked(self, source: Source, entry: IndexEntry) -> tuple[str, TemplateFile]:
        """The entry's text, once it has passed every check, and the template it is."""
        data = source.read(entry)
        if checksum(data) != entry.checksum:
            raise ToolError(
                "PRISM_REPO_CHECKSUM_MISMATCH",
                f"{source.name}/{entry.path} no longer matches its checksum; nothing installed.",
                suggestions=[
                    f"Fetch the repository again: prism templates repo update {source.name}"
                ],
                exit_code=ExitCode.FAILURE,
            )
        text = data.decode("utf-8")
        file = load_text(text, f"{source.name}/{entry.path}", "user")
        written = file.template.version
        if written is None or parse_version(written) != entry.semver:
            raise ToolError(
                "PRISM_REPO_INDEX_INVALID",
                f"{source.name}: the index lists {entry.name} {entry.version}, but the file says"
                f" version {written}.",
                suggestions=["Ask the repository's maintainer to make them agree."],
                exit_code=ExitCode.FAILURE,
            )
        if file.template.key != entry.name:
            raise ToolError(
                "PRISM_REPO_INDEX_INVALID",
                f"{source.name}: the index lists {entry.path} as {entry.name}, but its slug is"
                f" {file.template.key}.",
                suggestions=["Ask the repository's maintainer to make them agree."],
                exit_code=ExitCode.FAILURE,
            )
        report = catalog_for(self.home).validate_one(file)
        if report.errors:
            raise TemplateInvalid(report.errors)
        return text, file

    def install(self, reference: str, *, force: bool = False) -> InstallResult:
        repo, name, version = parse_reference(reference)
        source = self.repos.source(repo)
        entry = self._entry(source, name, version)
        text, _ = self._checked(source, entry)
        records = self.records()
        target = self.user_dir / f"{entry.name}.yml"
        previous = records.get(entry.name)
        if target.exists() and previous is None and not force:
            raise ToolError(
                "PRISM_TEMPLATE_EXISTS",
                f"You already have a template {entry.name} of your own ({target}).",
                suggestions=[
                    f"Install over it with --force (your file is kept in: prism templates"
                    f" history {entry.name}).",
                ],
                exit_code=ExitCode.CONFLICT,
            )
        installation = self._write(source, entry, text, "install")
        return InstallResult(
            installation=installation, previous_version=previous.version if previous else None
        )

    def _write(self, source: Source, entry: IndexEntry, text: str, why: str) -> Installation:
        target = self.user_dir / f"{entry.name}.yml"
        self.history.catch_edits(entry.name, target)
        private_dir(self.user_dir)
        atomic_write_text(target, text)
        self.history.record(entry.name, text, why)
        installation = Installation(
            slug=entry.name,
            repository=source.name,
            name=entry.name,
            version=entry.version,
            checksum=entry.checksum,
            path=str(target),
            installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        records = self.records()
        records[entry.name] = installation
        self.save_records(records)
        return installation

    def update(self, name: str | None = None, *, force: bool = False) -> UpdateResult:
        records = self.records()
        if name is not None and name not in records:
            raise ToolError(
                "PRISM_TEMPLATE_NOT_INSTALLED",
                f"{name} was not installed from a repository, so there is nothing to update it"
                " from.",
                suggestions=["See installed ones: prism templates list (column 'from')"],
                exit_code=ExitCode.NOT_FOUND,
            )
        chosen = {name: records[name]} if name else records
        for repo in sorted({r.repository for r in chosen.values()} - {"builtin"}):
            self.repos.update(repo)
        updates, current = [], []
        for slug, record in sorted(chosen.items()):
            source = self.repos.source(record.repository)
            entry = self._entry(source, record.name, None)
            if entry.semver <= parse_version(record.version):
                current.append(slug)
                continue
            target = Path(record.path)
            on_disk = target.read_bytes() if target.exists() else b""
            if on_disk and checksum(on_disk) != record.checksum and not force:
                raise ToolError(
                    "PRISM_TEMPLATE_EDITED",
                    f"{slug} was edited since it was installed; updating would replace your edits.",
                    suggestions=[
                        f"Update anyway (your edits stay in its history): prism templates update"
                        f" {slug} --force",
                    ],
                    exit_code=ExitCode.CONFLICT,
                )
            text, _ = self._checked(source, entry)
            old_text = on_disk.decode("utf-8") if on_disk else ""
            self._write(source, entry, text, "update")
            updates.append(
                Change(
                    slug=slug,
                    repository=source.name,
                    from_version=record.version,
                    to_version=entry.version,
                    changes=describe_changes(old_text, text),
                )
            )
        return UpdateResult(updates=updates, up_to_date=current)

    def search(self, query: str, repository: str | None = None) -> list[SearchEntry]:
        words = query.lower().split()
        installed = self.records()
        sources = [self.repos.source(repository)] if repository else self.repos.sources()
        found = []
        for source in sources:
            for entry in source.index.latest():
                fields = [entry.name, entry.title or "", entry.description, entry.domain or ""]
                haystack = " ".join([*fields, *entry.tags]).lower()
                if all(word in haystack for word in words):
                    mine = installed.get(entry.name)
                    found.append(
                        SearchEntry(
                            repository=source.name,
                            name=entry.name,
                            version=entry.version,
                            title=entry.title,
                            description=entry.description,
                            tags=entry.tags,
                            domain=entry.domain,
                            maintainer=entry.maintainer,
                            installed=mine.version
                            if mine and mine.repository == source.name
                            else None,
                            compatible=_compatible(entry),
                        )
                    )
        return found
