"""The notebook server: the HTTP API, the WebSocket and the built web UI, on groundwork's base."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, WebSocket
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from groundwork.errors import ExitCode, ToolError
from groundwork.service import ServiceConfig, create_app
from peragus.ai.cells import edit_cell, generate_cells
from peragus.examples import ExampleList, example_text, examples
from peragus.execution.containment import containment_kind, sweep_stale_groups
from peragus.execution.marks import sweep_orphans
from peragus.execution.npm_search import NpmSearchResult, search_npm
from peragus.execution.runner import Limits
from peragus.notebooks.listing import NotebookOrder, select
from peragus.notebooks.model import Language
from peragus.notebooks.srcmd import decode
from peragus.notebooks.store import NotebookStore, new_notebook
from peragus.observability.metrics import HttpMetricsMiddleware
from peragus.observability.status import SAMPLE_SECONDS, Monitor, OpenNotebook
from peragus.results import DeletedNotebook, NotebookList, NotebookResult
from peragus.server import STATIC
from peragus.server.hub import Hub
from peragus.server.observe import Observability, TraceMiddleware, span_of
from peragus.server.schemas import (
    AiSettingsBody,
    CellEdit,
    EditBody,
    EditResult,
    GenerateBody,
    GeneratedCells,
    ImportNotebook,
    NewNotebook,
    OpenSession,
    SecretBody,
    SecretResult,
    SessionResult,
    SettingsResult,
    SettingsView,
)
from peragus.server.sessions import Sessions
from peragus.server.shutdown import shut_down
from peragus.server.status_routes import router as status_router
from peragus.server.template_routes import router as template_router
from peragus.server.websocket import Notebooks
from peragus.settings.store import AiSettings, SettingsStore
from peragus.templates import Templates

__all__ = ["peragus_app"]

_UNBUILT = """<!doctype html><meta charset="utf-8"><title>peragus</title>
<p>The peragus web UI is not built. From the repository, run <code>make ui</code>
(it needs Node.js and npm), then reload this page.</p>"""


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


def _nb(request: Request) -> Notebooks:
    notebooks: Notebooks = request.app.state.notebooks
    return notebooks


def _audit(request: Request, action: Any, target: str | None = None, **detail: str) -> None:
    span = span_of(request.scope)
    _nb(request).observability.audit.record(
        action, target, via="api", trace_id=span.trace_id if span else None, **detail
    )


router = APIRouter(prefix="/api")


@router.get("/notebooks")
def list_notebooks(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="In the title or name.")] = None,
    language: Language | None = None,
    modified_within_days: Annotated[float | None, Query(gt=0, le=36500)] = None,
    sort: NotebookOrder = NotebookOrder.NAME,
) -> NotebookList:
    store = _nb(request).sessions.store
    found = select(
        store.infos(),
        search=q,
        language=language,
        modified_within_days=modified_within_days,
        order=sort,
    )
    return NotebookList(notebooks=found, folder=str(store.root))


@router.post("/notebooks", status_code=201)
def create_notebook(request: Request, body: NewNotebook) -> NotebookResult:
    store = _nb(request).sessions.store
    if body.template is None:
        notebook = new_notebook(body.title, body.language)
    else:
        text = Templates(_nb(request).home).text(body.template)
        notebook = decode(text, f"the template {body.template}")
        notebook = notebook.model_copy(update={"title": body.title})
    return NotebookResult(notebook=store.info(store.save(notebook)))


@router.post("/notebooks/import", status_code=201)
def import_notebook(request: Request, body: ImportNotebook) -> NotebookResult:
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
    _audit(request, "notebook.import", path.name, source=body.url or "text")
    return NotebookResult(notebook=store.info(path))


@router.delete("/notebooks/{name}")
async def delete_notebook(request: Request, name: str) -> DeletedNotebook:
    notebooks = _nb(request)
    await notebooks.language.stop(name)
    await asyncio.to_thread(notebooks.sessions.close, name)
    deleted = await asyncio.to_thread(notebooks.sessions.store.delete, name)
    _audit(request, "notebook.delete", name, moved_to=deleted.moved_to)
    return deleted


@router.get(
    "/notebooks/{name}/export",
    response_class=MarkdownResponse,
    responses={200: {"description": "The notebook as one srcbook .src.md file."}},
)
def export_notebook(request: Request, name: str) -> MarkdownResponse:
    text = _nb(request).sessions.store.export(name)
    disposition = f'attachment; filename="{name}.src.md"'
    return MarkdownResponse(text, headers={"content-disposition": disposition})


@router.post("/sessions")
def open_session(request: Request, body: OpenSession) -> SessionResult:
    return SessionResult(session=_nb(request).sessions.open(body.name).view())


@router.get("/sessions/{session_id}")
def get_session(request: Request, session_id: str) -> SessionResult:
    return SessionResult(session=_nb(request).sessions.get(session_id).view())


def _settings(store: SettingsStore) -> SettingsResult:
    return SettingsResult(
        settings=SettingsView(
            ai=store.ai(), ai_key_set=store.ai_key() is not None, secrets=store.secret_names()
        )
    )


@router.get("/settings")
def get_settings(request: Request) -> SettingsResult:
    return _settings(_nb(request).settings)


@router.put("/settings/ai")
def put_ai_settings(request: Request, body: AiSettingsBody) -> SettingsResult:
    settings = _nb(request).settings
    ai = AiSettings(**body.model_dump(exclude={"api_key"}))
    settings.set_ai(ai, body.api_key)
    _audit(
        request,
        "settings.ai",
        provider=ai.provider,
        base_url=ai.base_url,
        model=ai.model,
        key_changed=str(bool(body.api_key)).lower(),
    )
    return _settings(settings)


@router.put("/secrets/{name}")
def put_secret(request: Request, name: str, body: SecretBody) -> SecretResult:
    secret = _nb(request).settings.set_secret(name, body.value)
    _audit(request, "secret.set", name)
    return SecretResult(secret=secret)


@router.delete("/secrets/{name}")
def delete_secret(request: Request, name: str) -> SecretResult:
    removed = _nb(request).settings.delete_secret(name)
    if removed is None:
        raise ToolError(
            "PERAGUS_SECRET_NOT_FOUND",
            f"There is no secret {name!r}.",
            suggestions=["List secrets in Settings."],
            exit_code=ExitCode.NOT_FOUND,
        )
    _audit(request, "secret.delete", name)
    return SecretResult(secret=removed)


@router.put("/secrets/{name}/notebooks/{notebook}")
def link_secret(request: Request, name: str, notebook: str) -> SecretResult:
    """Link the secret to this notebook: from then on only linked notebooks get it."""
    _nb(request).sessions.store.folder(notebook)  # an unknown notebook is a 404, not a link
    secret = _nb(request).settings.link(name, notebook, linked=True)
    _audit(request, "secret.link", name, notebook=notebook)
    return SecretResult(secret=secret)


@router.delete("/secrets/{name}/notebooks/{notebook}")
def unlink_secret(request: Request, name: str, notebook: str) -> SecretResult:
    """Unlink it; a secret linked to no notebook goes to every notebook."""
    secret = _nb(request).settings.link(name, notebook, linked=False)
    _audit(request, "secret.unlink", name, notebook=notebook)
    return SecretResult(secret=secret)


@router.get("/npm/search")
async def npm_search(
    q: Annotated[str, Query(min_length=1, max_length=200)],
) -> NpmSearchResult:
    """npm's registry search, through the server: the page may talk only to its own origin."""
    return await search_npm(q)


@router.get("/examples")
def list_examples() -> ExampleList:
    return ExampleList(examples=examples())


@router.post("/examples/{name}/import", status_code=201)
def import_example(request: Request, name: str) -> NotebookResult:
    store = _nb(request).sessions.store
    path = store.save(decode(example_text(name), f"the example {name}"))
    _audit(request, "notebook.import", path.name, source=f"example {name}")
    return NotebookResult(notebook=store.info(path))


@router.post("/sessions/{session_id}/ai/generate")
async def ai_generate(request: Request, session_id: str, body: GenerateBody) -> GeneratedCells:
    notebooks = _nb(request)
    session = notebooks.sessions.get(session_id)
    settings, key = notebooks.settings.ai(), notebooks.settings.ai_key()
    cells = await notebooks.ai(generate_cells, session.notebook, body.prompt, settings, key)
    created = await asyncio.to_thread(session.replace_cells, body.index, cells)
    topic = f"session:{session_id}"
    for cell_id in created:
        index = session.ids.index(cell_id)
        cell = session.cell_json(cell_id)
        await notebooks.hub.publish(topic, "cell:created", {"index": index, "cell": cell})
    return GeneratedCells(cells=[session.cell_view(c) for c in created])


@router.post("/sessions/{session_id}/ai/edit")
async def ai_edit(request: Request, session_id: str, body: EditBody) -> EditResult:
    """The proposed source; the page shows it in the editor, and saving it is an ordinary edit."""
    notebooks = _nb(request)
    session = notebooks.sessions.get(session_id)
    cell = session.code_cell(body.cellId)
    settings, key = notebooks.settings.ai(), notebooks.settings.ai_key()
    source = await notebooks.ai(
        edit_cell, session.notebook, cell.filename, body.prompt, settings, key
    )
    return EditResult(edit=CellEdit(cellId=body.cellId, source=source))


def _index(page_file: str = "index.html") -> Response:
    page = STATIC / page_file
    if not page.is_file():
        return HTMLResponse(_UNBUILT, status_code=503)
    return HTMLResponse(page.read_text(encoding="utf-8"), headers={"cache-control": "no-cache"})


def _recover(store: NotebookStore) -> None:
    """What a killed server left: its cells' processes and cgroups, and unfinished writes."""
    sweep_stale_groups()
    sweep_orphans()  # the same processes where no cgroup held them
    store.remove_temporaries()


def _open_notebooks(notebooks: Notebooks) -> list[OpenNotebook]:
    return [
        OpenNotebook(
            name=session.id,
            pages=notebooks.hub.subscribers(f"session:{session.id}"),
            tsserver=notebooks.language.running(session.id),
            running_cells=len(session.runs),
        )
        for session in notebooks.sessions.all()
    ]


async def _sample(monitor: Monitor) -> None:
    while True:
        await asyncio.to_thread(monitor.sample)
        await asyncio.sleep(SAMPLE_SECONDS)


def peragus_app(
    home: Path, notebooks_dir: Path, config: ServiceConfig, limits: Limits | None = None
) -> FastAPI:
    app = create_app(config, title="peragus", docs=True)
    settings = SettingsStore(home)
    observability = app.state.observability = Observability.create(home)
    app.add_middleware(TraceMiddleware, tracer=observability.tracer)
    app.add_middleware(
        HttpMetricsMiddleware, metrics=observability.metrics, on_problem=observability.http_problem
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        hub = Hub(asyncio.get_running_loop())
        store = NotebookStore(notebooks_dir)
        await asyncio.to_thread(_recover, store)
        notebooks = app.state.notebooks = Notebooks(
            home, Sessions(store), settings, hub, limits or Limits(), observability
        )
        observability.monitor = Monitor(
            notebooks.live_runs,
            lambda: _open_notebooks(notebooks),
            settings.alerts,
            containment_kind(),
        )
        sampler = asyncio.create_task(_sample(observability.monitor))
        try:
            yield
        finally:
            sampler.cancel()
            await shut_down(notebooks)
            observability.tracer.shutdown()
            settings.close()

    app.router.lifespan_context = lifespan
    app.include_router(router)
    app.include_router(status_router)
    app.include_router(template_router)

    @app.websocket("/websocket")
    async def websocket(websocket: WebSocket) -> None:
        await websocket.app.state.notebooks.serve(websocket)

    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")

    @app.get("/", include_in_schema=False)
    def list_page() -> Response:
        return _index()

    @app.get("/notebooks/{name}", include_in_schema=False)
    def notebook_page(name: str) -> Response:
        return _index("notebook.html")

    @app.get("/status", include_in_schema=False)
    def status_page() -> Response:
        return _index("status.html")

    return app
