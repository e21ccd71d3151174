"""What the library reports: the same models the CLI prints with ``--output json``.

``LibraryFile`` stays a plain dataclass: a 10,000-file library makes 10,000 of them per scan, and
validation would only re-check what the scan itself produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field

from ai_config.results import Result

__all__ = [
    "LibraryFile",
    "LibraryStatus",
    "Origin",
    "OverrideState",
    "OverrideStatus",
    "Renamed",
    "Revision",
    "Side",
    "SourceInfo",
    "SourceUpdate",
    "UnsafeLink",
]

OverrideState = Literal[
    "clean",
    "base-changed",
    "conflict",
    "personal-only",
    "override",
    "removed-upstream",
    "renamed-upstream",
]
Side = Literal["ours", "theirs", "merged"]
Origin = Literal["base", "personal", "override"]


@dataclass(frozen=True)
class LibraryFile:
    """One file of the effective library: ``origin`` says which layer it comes from."""

    path: str
    origin: Origin
    location: Path


class OverrideStatus(Result):
    path: str
    state: OverrideState
    forked_from: str | None = Field(description="Base revision the personal copy was made from")
    renamed_to: str | None = Field(
        default=None, description="Where upstream moved the file (state renamed-upstream)"
    )
    upstream_copy: str | None = Field(
        default=None, description="Upstream's version kept beside a binary conflict"
    )


class UnsafeLink(Result):
    """A symlink in a library that leads outside it: reported, never followed."""

    path: str
    library: str = Field(description="'base', 'personal', or an added source's name")
    target: str


class LibraryStatus(Result):
    base_dir: Path
    personal_dir: Path
    base_revision: str
    pinned: str | None = Field(description="The base revision library.lock pins")
    upstream: str | None = Field(description="The branch the base follows; null for the starter")
    ahead: int
    behind: int
    base_edited_in_place: bool
    files: int = Field(description="Files in the effective library")
    files_reread: int = Field(description="Files read to compute this (0 on a warm status)")
    overrides: list[OverrideStatus]
    unsafe_links: list[UnsafeLink] = Field(
        default_factory=list, description="Symlinks leading outside a library (not followed)"
    )


class Renamed(Result):
    from_path: str = Field(alias="from")
    to: str

    model_config = ConfigDict(defer_build=True, populate_by_name=True)


class SourceUpdate(Result):
    """A library source moved from one revision to another (an update, or a rollback)."""

    source: str = Field(description="'base', or an added source's name")
    old: str
    new: str
    changed: list[str] = Field(default_factory=list, description="Files that differ old..new")
    merged: list[str] = Field(default_factory=list, description="Overrides merged cleanly")
    conflicts: list[str] = Field(default_factory=list, description="Overrides left with markers")
    removed_upstream: list[str] = Field(
        default_factory=list, description="Overridden files upstream deleted (your copy is kept)"
    )
    renamed: list[Renamed] = Field(
        default_factory=list, description="Overrides that moved with their file upstream"
    )


class SourceInfo(Result):
    name: str
    url: str | None
    branch: str | None
    revision: str


class Revision(Result):
    revision: str
    date: str
    subject: str
