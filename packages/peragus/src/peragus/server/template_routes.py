"""Notebook templates: the list (shipped and saved), and "save as template" from a notebook.
Creating a notebook from one is `POST /api/notebooks` with ``template``.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from peragus.server.observe import span_of
from peragus.server.websocket import Notebooks
from peragus.templates import TemplateList, TemplateResult, Templates

__all__ = ["router"]

router = APIRouter(prefix="/api")


class SaveTemplate(BaseModel):
    title: str | None = Field(
        default=None, min_length=1, max_length=200, description="The notebook's title if absent."
    )


@router.get("/templates")
def list_templates(request: Request) -> TemplateList:
    notebooks: Notebooks = request.app.state.notebooks
    return TemplateList(templates=Templates(notebooks.home).all())


@router.post("/notebooks/{name}/template", status_code=201)
async def save_template(request: Request, name: str, body: SaveTemplate) -> TemplateResult:
    notebooks: Notebooks = request.app.state.notebooks
    store = notebooks.sessions.store
    notebook = await asyncio.to_thread(store.load, name)
    src_md = await asyncio.to_thread(store.export, name)
    title = body.title or notebook.title
    template = await asyncio.to_thread(Templates(notebooks.home).save, src_md, title)
    span = span_of(request.scope)
    notebooks.observability.audit.record(
        "template.save",
        template.name,
        via="api",
        trace_id=span.trace_id if span else None,
        notebook=name,
    )
    return TemplateResult(template=template)
