"""What `prism templates ...` answers with `--output json`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from prism.templates.issues import Issue
from prism.templates.model import Template

__all__ = [
    "RenderedScript",
    "ScriptResult",
    "TemplateDetail",
    "TemplateInfo",
    "TemplateList",
    "TemplateSummary",
    "ValidationReport",
    "ValidationResult",
]

Origin = Literal["bundled", "user", "file"]


class TemplateSummary(BaseModel):
    slug: str
    name: str
    description: str
    base: str | None = Field(description="The base OS; None when it comes from a parent.")
    origin: Origin
    path: str
    minimum_size: str | None
    connection_type: str | None


class TemplateList(BaseModel):
    templates: list[TemplateSummary]


class TemplateDetail(BaseModel):
    slug: str
    origin: Origin
    path: str
    warnings: list[str]
    definition: Template = Field(description="The template as a launch uses it: parents merged.")


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
