"""What `prism templates ...` answers with `--output json`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel as _BaseModel
from pydantic import ConfigDict, Field, computed_field

from prism.templates.issues import Issue
from prism.templates.model import Template

__all__ = [
    "ArchPrice",
    "ConnectionInfo",
    "RenderedScript",
    "Review",
    "ScriptResult",
    "SizeCost",
    "TemplateDetail",
    "TemplateInfo",
    "TemplateList",
    "TemplateSummary",
    "ValidationReport",
    "ValidationResult",
]

Origin = Literal["bundled", "user", "file"]


class BaseModel(_BaseModel):
    """Schemas built on first use: each command uses one or two of these results, and building
    them all costs every `prism templates ...` start-up time.
    """

    model_config = ConfigDict(defer_build=True)


class TemplateSummary(BaseModel):
    slug: str
    name: str
    description: str
    base: str | None = Field(description="The base OS; None when it comes from a parent.")
    origin: Origin
    path: str
    minimum_size: str | None
    connection_type: str | None
    version: str | None = None
    valid: bool = True
    error: str | None = Field(
        default=None, description="The first error of a template that fails validation."
    )
    installed_from: str | None = Field(
        default=None, description="REPOSITORY/NAME@VERSION of a template installed from one."
    )


class TemplateList(BaseModel):
    templates: list[TemplateSummary]


class ConnectionInfo(BaseModel):
    """What the template's connection_type means here."""

    type: str
    primary: str = Field(description="ssh, web or desktop: the interface that comes first.")
    desktop: str | None = Field(description="dcv (NICE DCV) or vnc (noVNC), or none.")
    desktop_port: int | None
    ports: list[int] = Field(description="Ports the security group opens (22 to all).")
    verbs: list[str] = Field(description="The commands that reach a workstation of it.")


class Review(BaseModel):
    """A signed-off-by line of a repository's reviews file."""

    template: str
    version: str | None
    reviewer: str
    comment: str


class ArchPrice(BaseModel):
    instance_type: str
    hourly_usd: float
    price_source: str = Field(description="pricing-api, bundled (prism's list prices) or estimate")


class SizeCost(BaseModel):
    """One size on each architecture; null where the template does not work on it or the
    instance family has no peer there (no Graviton type has a p3's GPUs).
    """

    size: str = Field(description="XS..XL, or default (the template's own instance type).")
    x86_64: ArchPrice | None
    arm64: ArchPrice | None


class TemplateDetail(BaseModel):
    slug: str
    origin: Origin
    path: str
    warnings: list[str]
    connection: ConnectionInfo
    installed_from: str | None = None
    reviews: list[Review] = Field(
        default_factory=list, description="From the reviews file of its repository."
    )
    definition: Template = Field(description="The template as a launch uses it: parents merged.")
    architectures: list[str] = Field(
        default_factory=list,
        description="Where it works: declared, or x86_64 alone when its setup downloads an"
        " x86_64-only binary.",
    )
    architectures_reason: str | None = None
    price_region: str | None = Field(default=None, description="The region of `sizes`' prices.")
    sizes: list[SizeCost] = Field(
        default_factory=list, description="Each size's instance type and price per hour, per arch."
    )


class TemplateInfo(BaseModel):
    template: TemplateDetail


class ValidationReport(BaseModel):
    """One template file checked: YAML, fields, inheritance, parameters, setup script."""

    path: str
    slug: str | None
    errors: list[Issue]
    warnings: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.errors


class ValidationResult(BaseModel):
    reports: list[ValidationReport]
    valid: int
    invalid: int


class RenderedScript(BaseModel):
    template: str = Field(description="The template's slug.")
    parameters: dict[str, Any]
    size_bytes: int
    limit_bytes: int = Field(description="AWS's limit on UserData.")
    text: str


class ScriptResult(BaseModel):
    script: RenderedScript
