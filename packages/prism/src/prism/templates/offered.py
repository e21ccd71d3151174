"""The templates a launch form offers, with their parameters: what prismd's dashboard route
answers and the TUI's launch screen reads, in a module of their own so that a client reads
them without importing prismd.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ParameterChoice", "TemplateSummary", "TemplateSummaryList"]


class ParameterChoice(BaseModel):
    name: str
    label: str
    description: str = ""
    type: str = "string"
    default: str | None = None
    choices: list[str] = Field(default_factory=list)
    required: bool = False


class TemplateSummary(BaseModel):
    slug: str
    name: str
    description: str = ""
    parameters: list[ParameterChoice] = Field(default_factory=list)


class TemplateSummaryList(BaseModel):
    templates: list[TemplateSummary]
