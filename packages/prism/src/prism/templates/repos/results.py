"""What the template repository commands answer with `--output json`."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "Change",
    "HistoryEntry",
    "HistoryResult",
    "InstallResult",
    "Installation",
    "Repository",
    "RepositoryList",
    "RepositoryResult",
    "SearchEntry",
    "SearchResult",
    "TemplateHistory",
    "UpdateResult",
]


class Repository(BaseModel):
    name: str
    url: str
    commit: str | None = Field(description="The commit in use; None for the built-in one.")
    templates: int
    versions: int
    added_at: str | None = None
    updated_at: str | None = None
    builtin: bool = False
    previous_commit: str | None = Field(
        default=None, description="After an update: the commit it had before."
    )


class RepositoryResult(BaseModel):
    repository: Repository


class RepositoryList(BaseModel):
    repositories: list[Repository]


class SearchEntry(BaseModel):
    """A template version as a repository's index lists it."""

    repository: str
    name: str
    version: str
    title: str | None
    description: str
    tags: list[str]
    domain: str | None
    maintainer: str | None
    installed: str | None = Field(description="The version installed now, if any.")
    compatible: bool = Field(description="Whether this prism can use it (prism_version).")


class SearchResult(BaseModel):
    query: str
    entries: list[SearchEntry]


class Installation(BaseModel):
    """A template installed from a repository into the user's templates."""

    slug: str
    repository: str
    name: str
    version: str
    checksum: str
    path: str
    installed_at: str


class InstallResult(BaseModel):
    installation: Installation
    previous_version: str | None = Field(description="The version it replaced, if any.")


class Change(BaseModel):
    """One installed template brought up to date, and what changed in it."""

    slug: str
    repository: str
    from_version: str
    to_version: str
    changes: list[str] = Field(description="Field by field: what was added, removed, changed.")


class UpdateResult(BaseModel):
    updates: list[Change]
    up_to_date: list[str] = Field(description="Installed templates already at their newest.")


class HistoryEntry(BaseModel):
    version: str | None
    checksum: str
    recorded_at: str
    source: str = Field(description="install, update, edit, new, form, rollback or snapshot.")
    current: bool


class TemplateHistory(BaseModel):
    template: str
    path: str
    versions: list[HistoryEntry] = Field(description="Oldest first.")


class HistoryResult(BaseModel):
    history: TemplateHistory
