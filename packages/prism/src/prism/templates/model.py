"""The template format of the original prism, field for field.

Unknown fields are kept (``extra="allow"``) and reported as warnings: a template written for a
newer release, or with a typo, still loads, and the user learns which fields had no effect.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "IdleDetection",
    "InstanceDefaults",
    "Packages",
    "Parameter",
    "Service",
    "Template",
    "TemplateFile",
    "User",
]

Size = Literal["XS", "S", "M", "L", "XL"]
PackageManager = Literal["apt", "dnf", "yum", "conda", "spack", "pip", "ami", "auto"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Packages(_Open):
    system: list[str] = Field(default_factory=list)
    conda: list[str] = Field(default_factory=list)
    spack: list[str] = Field(default_factory=list)
    pip: list[str] = Field(default_factory=list)


class User(_Open):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_-]{0,31}$")
    password: str | None = None
    groups: list[str] = Field(default_factory=list)
    shell: str = "/bin/bash"


class Service(_Open):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
    port: int | None = Field(default=None, ge=1, le=65535)
    command: str | None = None
    enable: bool = True


class IdleDetection(_Open):
    enabled: bool = False
    idle_threshold_minutes: int = Field(default=30, ge=1)
    hibernate_threshold_minutes: int = Field(default=60, ge=1)
    check_interval_minutes: int = Field(default=5, ge=1)


class InstanceDefaults(_Open):
    type: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
    ports: list[int] = Field(default_factory=list)
    root_volume_gb: int | None = Field(default=None, ge=8, le=16384)
    estimated_cost_per_hour: dict[str, float] = Field(default_factory=dict)


class Parameter(_Open):
    name: str | None = None
    display_name: str | None = None
    description: str | None = None
    type: Literal["string", "int", "integer", "bool", "boolean", "choice", "float"] = "string"
    default: Any = None
    choices: list[Any] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    required: bool = False
    group: str | None = None
    order: int | None = None


class Template(_Open):
    """One template as written; ``inherits`` is resolved by :mod:`prism.templates.resolve`."""

    name: str = Field(min_length=1)
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    long_description: str | None = None
    base: str | None = None
    inherits: list[str] = Field(default_factory=list)
    version: str | None = None
    category: str | None = None
    domain: str | None = None
    complexity: str | None = None
    icon: str | None = None
    color: str | None = None
    popular: bool = False
    featured: bool = False
    minimum_size: Size | None = None
    connection_type: Literal["ssh", "web", "dcv", "desktop"] | None = None
    ports: list[int] = Field(default_factory=list)
    package_manager: PackageManager | None = None
    packages: Packages = Field(default_factory=Packages)
    users: list[User] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    post_install: str | None = None
    user_data: str | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    idle_detection: IdleDetection | None = None
    instance_defaults: InstanceDefaults = Field(default_factory=InstanceDefaults)
    tags: dict[str, str] = Field(default_factory=dict)
    maintainer: str | None = None
    last_updated: str | None = None
    estimated_launch_time: int | None = None

    @property
    def key(self) -> str:
        """The slug, or one made from the name when the template has none."""
        if self.slug:
            return self.slug
        return "-".join("".join(c if c.isalnum() else " " for c in self.name.lower()).split())


class TemplateFile(BaseModel):
    """A template with where it came from, for messages that point at a file and line."""

    template: Template
    path: str
    origin: Literal["bundled", "user", "file"]
    warnings: list[str] = Field(default_factory=list)
