"""The notebook server: the HTTP API, the WebSocket and the built web UI, on groundwork's base."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from groundwork.service import ServiceConfig, create_app
from peragus import __version__
from peragus.ai.cells import edit_cell, generate_cells
from peragus.execution.runner import Limits
from peragus.notebooks.folder import read_folder
from peragus.notebooks.srcmd import decode
from peragus.notebooks.store import NotebookStore, new_notebook
from peragus.server import STATIC
from peragus.server.hub import Hub
from peragus.server.sessions import Sessions
from peragus.server.websocket import Notebooks
from peragus.settings.store import AiSettings, SettingsStore

__all__ = ["peragus_app", "server_config"]

MAX_IMPORT_BYTES = 10 * 1024 * 1024
_UNBUILT = """<!doctype html><meta charset="utf-8"><title>peragus</title>
<p>The peragus web UI is not built. From the repository, run <code>make ui</code>
(it needs Node.js and npm), then reload this page.</p>"""


def server_config(home: Path, host: str = "127.0.0.1", port: int = 2150) -> ServiceConfig:
    return ServiceConfig(
        tool="peragus",
        version=__version__,
        state_dir=home,
        host=host,
        port=port,
        max_body_bytes=MAX_IMPORT_BYTES,
        rate_per_second=200,
        rate_burst=400,
        content_security_policy=(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none';"
            " form-action 'self'; object-src 'none'"
        ),
    )


class NewNotebook(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    language: Literal["typescript", "javascript"] = "typescript"


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


def _nb(request: Request) -> Notebooks:
    notebooks: Notebooks = request.app.state.notebooks
    return notebooks


router = APIRouter(prefix="/api")


@router.get("/notebooks")
def list_notebooks(request: Request) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in _nb(request).sessions.store.list():
        try:
            notebook = read_folder(path)
        except ToolError as exc:
            found.append({"name": path.name, "title": path.name, "error": exc.message})
            continue
        found.append(
            {
                "name": path.name,
                "title": notebook.title,
                "language": notebook.language,
                "cells": len(notebook.cells),
            }
        )
    return found


@router.post("/notebooks", status_code=201)
def create_notebook(request: Request, body: NewNotebook) -> dict[str, str]:
    path = _nb(request).sessions.store.save(new_notebook(body.title, body.language))
    return {"name": path.name}


@router.post("/notebooks/import", status_code=201)
def import_notebook(request: Request, body: ImportNotebook) -> dict[str, str]:
    store = _nb(request).sessions.store
    if body.text is not None:
        path = store.save(decode(body.text, "the imported file"))
    elif body.url is not None:
        path = store.import_source(body.url)
    else:
        raise ToolError(
            "PERAGUS_IMPORT_EMPTY",
            "Nothing to import.",
            suggestions=["Send the .src.md text as 'text', or its address as 'url'."],
            exit_code=ExitCode.USAGE,
        )
    return {"name": path.name}


@router.delete("/notebooks/{name}")
def delete_notebook(request: Request, name: str) -> dict[str, str]:
    notebooks = _nb(request)
    notebooks.sessions.close(name)
    trash = notebooks.sessions.store.delete(name)
    return {"name": name, "moved_to": str(trash)}


@router.get("/notebooks/{name}/export")
def export_notebook(request: Request, name: str) -> PlainTextResponse:
    text = _nb(request).sessions.store.export(name)
    disposition = f'attachment; filename="{name}.src.md"'
    return PlainTextResponse(
        text, media_type="text/markdown", headers={"content-disposition": disposition}
    )


@router.post("/sessions")
def open_session(request: Request, body: OpenSession) -> dict[str, Any]:
    return _nb(request).sessions.open(body.name).to_json()


@router.get("/sessions/{session_id}")
def get_session(request: Request, session_id: str) -> dict[str, Any]:
    return _nb(request).sessions.get(session_id).to_json()


@router.get("/settings")
def get_settings(request: Request) -> dict[str, Any]:
    settings = _nb(request).settings
    return {
        "ai": settings.ai().model_dump(),
        "ai_key_set": settings.ai_key() is not None,
        "secrets": settings.secret_names(),
    }


@router.put("/settings/ai")
def put_ai_settings(request: Request, body: AiSettingsBody) -> dict[str, Any]:
    settings = _nb(request).settings
    settings.set_ai(AiSettings(**body.model_dump(exclude={"api_key"})), body.api_key)
    return {"ai": settings.ai().model_dump(), "ai_key_set": settings.ai_key() is not None}


@router.put("/secrets/{name}")
def put_secret(request: Request, name: str, body: SecretBody) -> dict[str, str]:
    _nb(request).settings.set_secret(name, body.value)
    return {"name": name}


@router.delete("/secrets/{name}")
def delete_secret(request: Request, name: str) -> dict[str, str]:
    if not _nb(request).settings.delete_secret(name):
        raise ToolError(
            "PERAGUS_SECRET_NOT_FOUND",
            f"There is no secret {name!r}.",
            suggestions=["List secrets in Settings."],
            exit_code=ExitCode.NOT_FOUND,
        )
    return {"name": name}


@router.post("/sessions/{session_id}/ai/generate")
async def ai_generate(request: Request, session_id: str, body: GenerateBody) -> dict[str, Any]:
    notebooks = _nb(request)
    session = notebooks.sessions.get(session_id)
    settings, key = notebooks.settings.ai(), notebooks.settings.ai_key()
    cells = await asyncio.to_thread(generate_cells, session.notebook, body.prompt, settings, key)
    created = await asyncio.to_thread(session.replace_cells, body.index, cells)
    topic = f"session:{session_id}"
    for cell_id in created:
        index = session.ids.index(cell_id)
        cell = session.cell_json(cell_id)
        await notebooks.hub.publish(topic, "cell:created", {"index": index, "cell": cell})
    return {"created": [session.cell_json(c) for c in created]}


@router.post("/sessions/{session_id}/ai/edit")
async def ai_edit(request: Request, session_id: str, body: EditBody) -> dict[str, str]:
    """The proposed source; the page shows it in the editor, and saving it is an ordinary edit."""
    notebooks = _nb(request)
    session = notebooks.sessions.get(session_id)
    cell = session.code_cell(body.cellId)
    settings, key = notebooks.settings.ai(), notebooks.settings.ai_key()
    source = await asyncio.to_thread(
        edit_cell, session.notebook, cell.filename, body.prompt, settings, key
    )
    return {"cellId": body.cellId, "source": source}


def _index() -> Response:
    page = STATIC / "index.html"
    if not page.is_file():
        return HTMLResponse(_UNBUILT, status_code=503)
    return HTMLResponse(page.read_text(encoding="utf-8"), headers={"cache-control": "no-cache"})


def peragus_app(
    home: Path, notebooks_dir: Path, config: ServiceConfig, limits: Limits | None = None
) -> FastAPI:
    app = create_app(config, title="peragus", docs=True)
    settings = SettingsStore(home)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        hub = Hub(asyncio.get_running_loop())
        app.state.notebooks = Notebooks(
            home, Sessions(NotebookStore(notebooks_dir)), settings, hub, limits or Limits()
        )
        try:
            yield
        finally:
            app.state.notebooks.shutdown()
            settings.close()

    app.router.lifespan_context = lifespan
    app.include_router(router)

    @app.websocket("/websocket")
    async def websocket(websocket: WebSocket) -> None:
        await websocket.app.state.notebooks.serve(websocket)

    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")
    app.get("/", include_in_schema=False)(_index)

    @app.get("/notebooks/{name}", include_in_schema=False)
    def notebook_page(name: str) -> Response:
        return _index()

    return app
