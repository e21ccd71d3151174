"""The editor's WebSocket events: tsserver requests, formatting, moving cells, dependency checks,
tsconfig.json and AI fixes. Replies to a request go to the page that asked (with its
``requestId``); changes to the notebook go to every page on it.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from groundwork.errors import ExitCode, ToolError
from peragus.ai.cells import fix_diagnostics
from peragus.editor.format import format_source
from peragus.execution.dependencies import declared, imported_packages
from peragus.server.hub import Connection
from peragus.server.protocol import (
    CellMove,
    CellRef,
    CompletionDetailsRequest,
    FixDiagnostics,
    LocationRequest,
    TsconfigUpdate,
)
from peragus.server.sessions import Session

if TYPE_CHECKING:
    from peragus.server.websocket import Notebooks

__all__ = ["EDITOR_EVENTS", "handle_editor_event"]

EDITOR_EVENTS = frozenset(
    {
        "tsserver:start",
        "tsserver:stop",
        "tsserver:cell:completions:request",
        "tsserver:cell:quickinfo:request",
        "tsserver:cell:definition_location:request",
        "tsserver:cell:completion_details:request",
        "cell:format",
        "cell:move",
        "deps:validate",
        "tsconfig.json:update",
        "ai:fix_diagnostics",
    }
)


def undeclared_imports(session: Session) -> list[str]:
    with session.lock:
        sources = [c.source for c in session.notebook.code_cells() if c.runnable]
    wanted = set().union(*map(imported_packages, sources)) if sources else set()
    return sorted(wanted - declared(session.folder))


def _tsconfig(source: str) -> dict[str, Any]:
    try:
        value = json.loads(source)
    except json.JSONDecodeError as exc:
        raise ToolError(
            "PERAGUS_TSCONFIG_INVALID",
            f"tsconfig.json is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            suggestions=["Fix that spot; the notebook keeps its previous tsconfig.json."],
            exit_code=ExitCode.USAGE,
        ) from None
    if not isinstance(value, dict):
        raise ToolError(
            "PERAGUS_TSCONFIG_INVALID",
            "tsconfig.json must be a JSON object ({...}).",
            suggestions=['Start from {"compilerOptions": {...}}.'],
            exit_code=ExitCode.USAGE,
        )
    return value


async def _location_request(
    notebooks: Notebooks,
    connection: Connection,
    session: Session,
    topic: str,
    event: str,
    payload: LocationRequest | CompletionDetailsRequest,
) -> None:
    language = notebooks.language
    where = payload.request.location
    args = (session, payload.cellId, where.line, where.offset)
    response: Any
    if isinstance(payload, CompletionDetailsRequest):
        entry = payload.request.entry.model_dump(exclude_none=True)
        response = {"textChanges": await language.completion_actions(*args, entry)}
    elif event == "tsserver:cell:completions:request":
        response = await language.completions(*args)
    elif event == "tsserver:cell:quickinfo:request":
        response = await language.quickinfo(*args)
    else:
        response = await language.definition(*args)
    reply = {"cellId": payload.cellId, "requestId": payload.requestId, "response": response}
    await connection.send(topic, event.removesuffix(":request") + ":response", reply)


async def handle_editor_event(
    notebooks: Notebooks,
    connection: Connection,
    session: Session,
    topic: str,
    event: str,
    payload: Any,
) -> None:
    language = notebooks.language
    if event == "tsserver:start":
        await language.start(session, topic)
    elif event == "tsserver:stop":
        await language.stop(session.id)
    elif isinstance(payload, LocationRequest | CompletionDetailsRequest):
        await _location_request(notebooks, connection, session, topic, event, payload)
    elif event == "cell:format" and isinstance(payload, CellRef):
        cell = session.code_cell(payload.cellId)
        formatted = await asyncio.to_thread(
            format_source, notebooks.home, cell.filename, cell.source
        )
        updated = await asyncio.to_thread(session.update, payload.cellId, {"source": formatted})
        await notebooks.hub.publish(
            topic, "cell:formatted", {"cellId": payload.cellId, "cell": updated}
        )
        await notebooks.hub.publish(topic, "cell:updated", {"cell": updated})
        await language.diagnose(session, topic, cell.filename)
    elif isinstance(payload, CellMove):
        await asyncio.to_thread(session.move, payload.cellId, payload.index)
        await notebooks.hub.publish(
            topic,
            "cell:moved",
            {"cellId": payload.cellId, "index": session.ids.index(payload.cellId)},
        )
    elif event == "deps:validate":
        await connection.send(
            topic, "deps:validate:response", {"packages": undeclared_imports(session)}
        )
    elif isinstance(payload, TsconfigUpdate):
        await asyncio.to_thread(session.set_tsconfig, _tsconfig(payload.source))
        await notebooks.hub.publish(
            topic, "tsconfig.json:updated", {"source": session.view().tsconfig}
        )
        await language.restart(session, topic)
    elif isinstance(payload, FixDiagnostics):
        cell = session.code_cell(payload.cellId)
        settings, key = notebooks.settings.ai(), notebooks.settings.ai_key()
        source = await notebooks.ai(
            fix_diagnostics, session.notebook, cell.filename, payload.diagnostics, settings, key
        )
        await connection.send(topic, "ai:generated", {"cellId": payload.cellId, "output": source})
