"""The REST API's request bodies and the replies only the server gives (sessions, settings, AI).

Notebook replies are :mod:`peragus.results`, the same models the CLI prints. Cell views are also
what the WebSocket sends, so a cell reads the same from either.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from peragus.notebooks.model import Language
from peragus.server.config import MAX_IMPORT_BYTES
from peragus.settings.store import AiSettings, SecretInfo

__all__ = [
    "AiSettingsBody",
    "CellEdit",
    "CellView",
    "CodeCellView",
    "EditBody",
    "EditResult",
    "GenerateBody",
    "GeneratedCells",
    "ImportNotebook",
    "MarkdownCellView",
    "NewNotebook",
    "OpenSession",
    "PackageJsonCellView",
    "SecretBody",
    "SecretResult",
    "SessionResult",
    "SessionView",
    "SettingsResult",
    "SettingsView",
    "TitleCellView",
]


class NewNotebook(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    language: Language = Field(
        default="typescript", description="Ignored with a template: it has its own."
    )
    template: str | None = Field(default=None, max_length=64, description="GET /api/templates.")


class ImportNotebook(BaseModel):
    text: str | None = Field(default=None, max_length=MAX_IMPORT_BYTES)
    url: str | None = Field(default=None, pattern=r"^https?://", max_length=2000)


class OpenSession(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class AiSettingsBody(AiSettings):
    api_key: str | None = Field(default=None, max_length=500)


class SecretBody(BaseModel):
    value: str = Field(max_length=10_000)


class GenerateBody(BaseModel):
    prompt: str = Field(min_length=1, max_length=10_000)
    index: int = Field(default=10_000, ge=0)


class EditBody(BaseModel):
    cellId: str  # srcbook's field name
    prompt: str = Field(min_length=1, max_length=10_000)


class TitleCellView(BaseModel):
    id: str
    type: Literal["title"] = "title"
    text: str


class PackageJsonCellView(BaseModel):
    id: str
    type: Literal["package.json"] = "package.json"
    filename: Literal["package.json"] = "package.json"
    source: str


class MarkdownCellView(BaseModel):
    id: str
    type: Literal["markdown"] = "markdown"
    text: str


class CodeCellView(BaseModel):
    id: str
    type: Literal["code"] = "code"
    filename: str
    language: Language
    source: str
    status: Literal["idle", "running"]
    runnable: bool = Field(
        default=True, description="False for cells kept from srcbook that are not JS or TS."
    )


CellView = Annotated[
    TitleCellView | PackageJsonCellView | MarkdownCellView | CodeCellView,
    Field(discriminator="type"),
]


class SessionView(BaseModel):
    """An open notebook: its cells with the ids the WebSocket addresses them by."""

    id: str
    title: str
    language: Language
    tsconfig: str | None = Field(
        default=None, description="tsconfig.json's text (TypeScript notebooks); editable."
    )
    cells: list[CellView]


class SessionResult(BaseModel):
    session: SessionView


class SettingsView(BaseModel):
    ai: AiSettings
    ai_key_set: bool = Field(description="Whether a key is stored; the key itself never leaves.")
    secrets: list[SecretInfo] = Field(description="Names and dates only, never values.")


class SettingsResult(BaseModel):
    settings: SettingsView


class SecretResult(BaseModel):
    secret: SecretInfo


class GeneratedCells(BaseModel):
    cells: list[CellView] = Field(description="The cells the AI wrote, as inserted.")


class CellEdit(BaseModel):
    cellId: str
    source: str = Field(description="The proposed source; saving it is an ordinary edit.")


class EditResult(BaseModel):
    edit: CellEdit
