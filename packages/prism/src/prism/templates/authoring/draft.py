"""A template draft: what `templates new` and the browser form collect. Kept apart from the
code that writes it, so prismd's routes declare it without loading that code at start.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from prism.choices import ConnectionType

__all__ = ["DraftParameter", "DraftService", "DraftUser", "TemplateDraft"]


class DraftService(BaseModel):
    name: str
    port: int | None = None
    command: str | None = None


class DraftUser(BaseModel):
    name: str
    groups: list[str] = Field(default_factory=list)


class DraftParameter(BaseModel):
    name: str
    type: str = "string"
    default: str | None = None
    choices: list[str] = Field(default_factory=list)
    description: str | None = None


class TemplateDraft(BaseModel):
    """What a person chooses; ``start_from`` is a template (inherited) or a base OS."""

    slug: str
    name: str = ""
    description: str = ""
    start_from: str = "ubuntu-24.04"
    connection_type: ConnectionType | None = None
    packages: list[str] = Field(default_factory=list)
    pip_packages: list[str] = Field(default_factory=list)
    users: list[DraftUser] = Field(default_factory=list)
    services: list[DraftService] = Field(default_factory=list)
    ports: list[int] = Field(default_factory=list)
    parameters: list[DraftParameter] = Field(default_factory=list)
    post_install: str | None = None
    version: str = "1.0.0"
