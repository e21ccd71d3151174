"""A template repository's index, its checksums, and its reviews file.

A repository is a git repository with ``index.yaml`` at its root: one entry per template
version (name, version, path, checksum, and what search reads: description, tags, domain,
maintainer). Every file's sha256 must match its entry, or the repository is refused whole: a
file changed without its index being updated is either a mistake or tampering, and neither
should reach a workstation. An optional ``reviews`` file holds signed-off-by lines.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from groundwork.errors import ExitCode, ToolError
from prism.templates.results import Review
from prism.templates.semver import Version, parse_range, parse_version

__all__ = [
    "INDEX_FILE",
    "REVIEWS_FILE",
    "IndexEntry",
    "RepoIndex",
    "checksum",
    "read_index",
    "read_reviews",
]

INDEX_FILE = "index.yaml"
REVIEWS_FILE = "reviews"
_REVIEW = re.compile(
    r"^(?P<template>[a-z0-9][a-z0-9-]*)(?:@(?P<version>\S+))?\s+"
    r"Signed-off-by:\s*(?P<reviewer>[^<>]+<[^<>\s]+>)\s*(?:--\s*(?P<comment>.*))?$"
)


def checksum(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class IndexEntry(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="The template's slug.")
    version: str
    path: str
    checksum: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    title: str | None = None
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    domain: str | None = None
    maintainer: str | None = None
    prism_version: str | None = None

    @field_validator("version")
    @classmethod
    def _semantic(cls, value: str) -> str:
        parse_version(value)
        return value

    @field_validator("prism_version")
    @classmethod
    def _range(cls, value: str | None) -> str | None:
        if value is not None:
            parse_range(value)
        return value

    @field_validator("path")
    @classmethod
    def _inside(cls, value: str) -> str:
        if value.startswith("/") or ".." in Path(value).parts:
            raise ValueError("must be a path inside the repository")
        return value

    @property
    def semver(self) -> Version:
        return parse_version(self.version)


class RepoIndex(BaseModel):
    name: str | None = None
    description: str = ""
    templates: list[IndexEntry] = Field(default_factory=list)

    def versions(self, name: str) -> list[IndexEntry]:
        """The entries of one template, newest first."""
        return sorted(
            (e for e in self.templates if e.name == name), key=lambda e: e.semver, reverse=True
        )

    def latest(self) -> list[IndexEntry]:
        """The newest version of each template."""
        return [self.versions(name)[0] for name in sorted({e.name for e in self.templates})]


def _invalid(repo: str, problem: str, fix: str) -> ToolError:
    return ToolError(
        "PRISM_REPO_INDEX_INVALID",
        f"Repository {repo}: {problem}.",
        suggestions=[fix],
        context={"repository": repo},
        exit_code=ExitCode.FAILURE,
    )


def read_index(folder: Path, repo: str) -> RepoIndex:
    """The index of a checked-out repository, every file checked against its checksum."""
    index_path = folder / INDEX_FILE
    if not index_path.is_file():
        raise _invalid(
            repo,
            f"it has no {INDEX_FILE} at its root",
            f"Add {INDEX_FILE} listing its templates (name, version, path, checksum).",
        )
    try:
        data: Any = yaml.safe_load(index_path.read_text(encoding="utf-8"))
        index = RepoIndex.model_validate(data or {})
    except yaml.YAMLError as exc:
        raise _invalid(repo, f"{INDEX_FILE} is not valid YAML ({exc})", "Fix its syntax.") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _invalid(
            repo, f"{INDEX_FILE}: {where}: {first['msg']}", "Correct that entry of the index."
        ) from None
    seen: set[tuple[str, str]] = set()
    for entry in index.templates:
        if (entry.name, entry.version) in seen:
            raise _invalid(
                repo,
                f"{entry.name} {entry.version} is listed twice",
                "Keep one entry per version.",
            )
        seen.add((entry.name, entry.version))
        _verify(folder, repo, entry)
    return index


def _verify(folder: Path, repo: str, entry: IndexEntry) -> None:
    path = folder / entry.path
    try:
        data = path.read_bytes()
    except OSError:
        raise _invalid(
            repo,
            f"{entry.name} {entry.version}: {entry.path} is not in the repository",
            "Commit the file, or remove its entry from the index.",
        ) from None
    actual = checksum(data)
    if actual != entry.checksum:
        raise ToolError(
            "PRISM_REPO_CHECKSUM_MISMATCH",
            f"Repository {repo}: {entry.path} ({entry.name} {entry.version}) does not match the"
            f" checksum in {INDEX_FILE}; the repository is refused.",
            suggestions=[
                "Ask its maintainer whether the file or the index is wrong: a file changed"
                " without its index is a mistake or tampering.",
                f"A maintainer fixes it with the file's real checksum: {actual}",
            ],
            context={"repository": repo, "path": entry.path, "expected": entry.checksum},
            exit_code=ExitCode.FAILURE,
        )


def read_reviews(folder: Path) -> list[Review]:
    """The reviews file's signed-off-by lines; other lines (comments, blanks) are skipped."""
    path = folder / REVIEWS_FILE
    if not path.is_file():
        return []
    reviews = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _REVIEW.match(line.strip())
        if match:
            reviews.append(
                Review(
                    template=match["template"],
                    version=match["version"],
                    reviewer=match["reviewer"].strip(),
                    comment=(match["comment"] or "").strip(),
                )
            )
    return reviews
