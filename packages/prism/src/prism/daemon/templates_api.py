"""The template form in the browser, and the API it uses.

``/templates/new`` is a page (with its script at ``/templates/form.js``: the service's content
security policy allows no inline script) behind the same token as the API: a browser gets in
through the one-time login URL `prism templates form` prints. The page sends the draft to
``/api/v1/templates/preview`` as the person types (the YAML and its validation come back) and
saves it with ``POST /api/v1/templates`` into the user's templates, checked again there.
"""

from __future__ import annotations

import asyncio
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field

from prism.choices import ConnectionType
from prism.cloud.images import BASES
from prism.daemon.engine import Engine
from prism.templates.authoring.draft import TemplateDraft
from prism.templates.catalog import catalog_for
from prism.templates.results import TemplateInfo, ValidationReport

__all__ = ["router"]

router = APIRouter()


class JavaScriptResponse(PlainTextResponse):
    media_type = "text/javascript"


class TemplateChoice(BaseModel):
    slug: str
    name: str


class FormChoices(BaseModel):
    """What the form offers: base systems, templates to build on, connection types."""

    bases: list[str]
    templates: list[TemplateChoice]
    connection_types: list[str]


class DraftPreview(BaseModel):
    yaml: str = Field(description="The template file the draft makes.")
    report: ValidationReport


class SaveBody(TemplateDraft):
    force: bool = Field(default=False, description="Replace a file of the same slug.")


def _page(name: str) -> str:
    return resources.files("prism.daemon").joinpath("static").joinpath(name).read_text("utf-8")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@router.get("/templates/new", response_class=HTMLResponse)
async def form_page() -> HTMLResponse:
    """The template form (a page for people)."""
    return HTMLResponse(_page("template-form.html"), headers={"Cache-Control": "no-store"})


@router.get("/templates/form.js", response_class=JavaScriptResponse)
async def form_script() -> JavaScriptResponse:
    return JavaScriptResponse(_page("template-form.js"), headers={"Cache-Control": "no-store"})


@router.get("/api/v1/templates/form", response_model=FormChoices)
async def form_choices(request: Request) -> FormChoices:
    def choices() -> FormChoices:
        files = catalog_for(_engine(request).home).files()
        return FormChoices(
            bases=sorted(BASES),
            templates=[
                TemplateChoice(slug=slug, name=f.template.name) for slug, f in sorted(files.items())
            ],
            connection_types=[c.value for c in ConnectionType],
        )

    return await asyncio.to_thread(choices)


@router.post("/api/v1/templates/preview", response_model=DraftPreview)
async def preview(draft: TemplateDraft, request: Request) -> DraftPreview:
    """The draft's YAML and its validation; nothing is written."""
    from prism.templates.authoring.compose import check_draft  # deferred: prismd's start

    text, report = await asyncio.to_thread(check_draft, draft, _engine(request).home)
    return DraftPreview(yaml=text, report=report)


@router.post("/api/v1/templates", status_code=201, response_model=TemplateInfo)
async def save(body: SaveBody, request: Request) -> TemplateInfo:
    """Write the draft to the user's templates once it validates (problem+json otherwise)."""
    home = _engine(request).home
    draft = TemplateDraft.model_validate(body.model_dump(exclude={"force"}))

    def write() -> TemplateInfo:
        from prism.templates.authoring.compose import save_draft  # deferred: prismd's start
        from prism.templates.info import template_info

        save_draft(draft, home, force=body.force, source="form")
        return template_info(home, catalog_for(home), draft.slug)

    return await asyncio.to_thread(write)
