"""The one WebSocket: srcbook's events in, cell updates and output out.

Topics are ``session:<notebook>``. A malformed message, an unknown session or a failed action is
answered with an ``error`` event on the same topic and the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect

from groundwork.errors import ToolError
from groundwork.logs import get_logger
from peragus.execution.dependencies import install, missing_packages
from peragus.execution.runner import CellRun, Limits, RunResult
from peragus.notebooks.model import PackageJsonCell
from peragus.observability.status import RunRef
from peragus.observability.tracing import Span
from peragus.server.editor_events import EDITOR_EVENTS, handle_editor_event
from peragus.server.hub import Connection, Hub
from peragus.server.language import LanguageFeatures
from peragus.server.observe import Observability, span_of, traced
from peragus.server.protocol import (
    INCOMING,
    CellCreate,
    CellRef,
    CellRename,
    CellUpdate,
    DepsInstall,
    parse,
)
from peragus.server.sessions import PACKAGE_ID, Session, Sessions
from peragus.settings.store import SettingsStore

__all__ = ["Notebooks"]

MAX_MESSAGE_BYTES = 2 * 1024 * 1024
log = get_logger("peragus.server")
T = TypeVar("T")


def _too_large(text: str) -> bool:
    """The limit is in bytes, as on the wire: a character can take up to four of them."""
    return len(text) > MAX_MESSAGE_BYTES or len(text.encode("utf-8")) > MAX_MESSAGE_BYTES


def _error(exc: ToolError) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message, "suggestions": exc.suggestions}


_AI_OUTCOMES = {
    "PERAGUS_AI_UNAVAILABLE": "unavailable",
    "PERAGUS_AI_PAUSED": "paused",
    "PERAGUS_AI_KEY_REJECTED": "rejected",
    "PERAGUS_AI_NOT_CONFIGURED": "not_configured",
    "PERAGUS_AI_BAD_REPLY": "bad_reply",
    "PERAGUS_AI_REQUEST_FAILED": "refused",
    "PERAGUS_AI_SDK_MISSING": "sdk_missing",
}


def outcome_of(result: RunResult) -> str:
    """A run's outcome, from a closed set (a metrics label)."""
    if result.stopped_by in ("output", "memory", "timeout", "shutdown"):
        return str(result.stopped_by)
    if result.stopped:
        return "stopped"
    if result.timed_out:
        return "timeout"
    return "ok" if result.exit_code == 0 else "failed"


class Notebooks:
    """Everything the WebSocket acts on: sessions, runs, installs; shared by the HTTP routes."""

    def __init__(
        self,
        home: Path,
        sessions: Sessions,
        settings: SettingsStore,
        hub: Hub,
        limits: Limits,
        observability: Observability,
    ) -> None:
        self.home = home
        self.sessions = sessions
        self.settings = settings
        self.hub = hub
        self.limits = limits
        self.observability = observability
        self.run_spans: dict[str, Span] = {}
        # Runs block a thread each for their whole length; the default pool (cores + 4) would
        # let five long cells starve every other notebook.
        self.runs = ThreadPoolExecutor(max_workers=64, thread_name_prefix="peragus-cell")
        self.language = LanguageFeatures(home, hub)
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self, websocket: WebSocket) -> None:
        await websocket.accept()
        messages = self.observability.metrics.ws_messages
        connection = Connection(websocket, lambda event: messages.labels("out", event).inc())
        connection.span = span_of(websocket.scope)
        connections = self.observability.metrics.ws_connections
        connections.inc()
        writer = asyncio.create_task(connection.writer())
        try:
            while not connection.closed:
                text = await websocket.receive_text()
                if _too_large(text):
                    await connection.send("error", "error", {"message": "message too large"})
                    continue
                await self._handle(connection, text)
        except WebSocketDisconnect:
            pass
        finally:
            connections.dec()
            topics = list(connection.topics)
            self.hub.unsubscribe(connection)
            await connection.close()
            writer.cancel()
            for topic in topics:
                await self._closed(topic)

    async def _closed(self, topic: str) -> None:
        """The last page on a notebook went: its tsserver stops."""
        if self.hub.subscribers(topic) == 0:
            await self.language.stop(topic.partition(":")[2])

    async def _handle(self, connection: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            await connection.send("error", "error", {"message": "a message must be JSON"})
            return
        parsed = parse(message)
        topic = (
            message[0]
            if isinstance(message, list) and message and isinstance(message[0], str)
            else "error"
        )
        event = message[1] if isinstance(parsed, str) and len(message) > 1 else None
        event = parsed.event if not isinstance(parsed, str) else event
        known = event if isinstance(event, str) and event in INCOMING else "other"
        self.observability.metrics.ws_messages.labels("in", known).inc()
        if isinstance(parsed, str):
            self.observability.error("PERAGUS_MESSAGE_INVALID", parsed, f"ws {known}")
            await connection.send(topic, "error", {"message": parsed})
            return
        if parsed.event == "ping":
            await connection.send(topic, "pong", {})
            return
        try:
            await self._dispatch(connection, parsed.topic, parsed.event, parsed.payload)
        except ToolError as exc:
            self.observability.error(exc.code, exc.message, f"ws {known}")
            await connection.send(topic, "error", {**_error(exc), **traced(connection.span)})

    def background(
        self, connection: Connection, topic: str, work: Coroutine[Any, Any, None]
    ) -> None:
        """Runs ``work`` as its own task; a ToolError it raises goes back as an error event."""

        async def guarded() -> None:
            try:
                await work
            except ToolError as exc:
                self.observability.error(exc.code, exc.message, "ws background")
                await connection.send(topic, "error", {**_error(exc), **traced(connection.span)})

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _session(self, topic: str, event: str) -> Session:
        prefix, _, session_id = topic.partition(":")
        if prefix != "session" or not session_id:
            raise ToolError(
                "PERAGUS_TOPIC_INVALID",
                f"{topic!r} is not a session topic.",
                suggestions=["Topics look like session:<notebook name>."],
            )
        if event == "subscribe":
            # A reconnecting client may find the server restarted: reopen the notebook for it.
            return await asyncio.to_thread(self.sessions.open, session_id)
        return self.sessions.get(session_id)

    async def _dispatch(self, connection: Connection, topic: str, event: str, payload: Any) -> None:
        session = await self._session(topic, event)
        if event in EDITOR_EVENTS:
            # tsserver, prettier and the AI take from milliseconds to minutes: they answer when
            # done, while this connection's edits and runs go on.
            self.background(
                connection,
                topic,
                handle_editor_event(self, connection, session, topic, event, payload),
            )
        elif event == "subscribe":
            self.hub.subscribe(connection, topic)
            await connection.send(topic, "subscribed", {"session": session.view().model_dump()})
            self.background(connection, topic, self.language.republish(session, topic))
        elif event == "unsubscribe":
            self.hub.unsubscribe(connection, topic)
            await self._closed(topic)
        elif isinstance(payload, CellUpdate) and event == "cell:update":
            cell = await asyncio.to_thread(
                session.update, payload.cellId, {str(k): v for k, v in payload.updates.items()}
            )
            await self.hub.publish(topic, "cell:updated", {"cell": cell})
            self.background(
                connection, topic, self.language.diagnose(session, topic, cell.get("filename"))
            )
        elif isinstance(payload, CellRename):
            cell = await asyncio.to_thread(session.rename, payload.cellId, payload.filename)
            await self.hub.publish(topic, "cell:updated", {"cell": cell})
            self.background(
                connection, topic, self.language.diagnose(session, topic, cell["filename"])
            )
        elif isinstance(payload, CellCreate):
            cell = await asyncio.to_thread(session.create, payload.index, payload.cell)
            await self.hub.publish(topic, "cell:created", {"index": payload.index, "cell": cell})
            self.background(
                connection, topic, self.language.diagnose(session, topic, cell.get("filename"))
            )
        elif isinstance(payload, DepsInstall):
            self.runs.submit(self._install, session, topic, payload.packages)
        elif isinstance(payload, CellRef) and event == "cell:delete":
            if (run := session.runs.get(payload.cellId)) is not None:
                await asyncio.to_thread(run.stop)
            await asyncio.to_thread(session.delete, payload.cellId)
            await self.hub.publish(topic, "cell:deleted", {"cellId": payload.cellId})
            self.background(connection, topic, self.language.diagnose(session, topic, None))
        elif isinstance(payload, CellRef) and event == "cell:stop":
            if (run := session.runs.get(payload.cellId)) is not None:
                await asyncio.to_thread(run.stop)
        elif isinstance(payload, CellRef) and event == "cell:exec":
            self.start_run(session, payload.cellId, connection.span)

    async def ai(self, call: Callable[..., T], *args: Any) -> T:
        """An AI provider call, off the event loop, counted by provider and outcome."""
        provider = self.settings.ai().provider
        calls = self.observability.metrics.ai_calls
        try:
            result = await asyncio.to_thread(call, *args)
        except ToolError as exc:
            calls.labels(provider, _AI_OUTCOMES.get(exc.code, "error")).inc()
            raise
        calls.labels(provider, "ok").inc()
        return result

    def live_runs(self) -> list[RunRef]:
        refs = []
        for session in self.sessions.all():
            for cell_id, run in list(session.runs.items()):
                span = self.run_spans.get(run.run_id)
                with contextlib.suppress(ToolError):
                    refs.append(
                        RunRef(
                            session.id,
                            session.code_cell(cell_id).filename,
                            run,
                            span.trace_id if span else None,
                        )
                    )
        return refs

    def start_run(self, session: Session, cell_id: str, parent: Span | None = None) -> None:
        with session.lock:
            cell = session.code_cell(cell_id)
            if cell_id in session.runs:
                raise ToolError(
                    "PERAGUS_CELL_RUNNING",
                    f"{cell.filename} is already running.",
                    suggestions=["Stop it first, or wait for it to finish."],
                )
            missing = missing_packages(session.folder, cell.source)
            if missing:
                raise ToolError(
                    "PERAGUS_PACKAGES_MISSING",
                    f"{cell.filename} imports {', '.join(missing)}, not installed.",
                    suggestions=[
                        "Add them to package.json and press Install, or install them from the"
                        " package.json cell: " + " ".join(missing)
                    ],
                    context={"packages": missing},
                )
            span = self.observability.tracer.start(
                "cell run",
                parent.context if parent else None,
                attributes={"peragus.cell": cell.filename, "peragus.notebook": session.id},
            )
            run = CellRun(
                self.home,
                session.folder,
                cell.filename,
                secrets=self.settings.secret_values(session.id),
                limits=self.limits,
                traceparent=span.traceparent,
            )
            span.attributes["peragus.run_id"] = run.run_id
            self.run_spans[run.run_id] = span
            session.runs[cell_id] = run
        self.observability.metrics.running_cells.inc()
        self.runs.submit(self._run, session, cell_id, run)

    def _run(self, session: Session, cell_id: str, run: CellRun) -> None:
        span = self.run_spans[run.run_id]
        with structlog.contextvars.bound_contextvars(
            trace_id=span.trace_id, span_id=span.context.span_id, run_id=run.run_id
        ):
            log.info("cell run started", notebook=session.id, cell=run.filename)
            outcome = "error"
            try:
                outcome = self._run_and_publish(session, cell_id, run, span)
            finally:
                self.run_spans.pop(run.run_id, None)
                metrics = self.observability.metrics
                metrics.running_cells.dec()
                metrics.cell_runs.labels(outcome).inc()
                metrics.cell_duration.labels(outcome).observe(
                    max(0.0, time.time() - run.started_at)
                )
                span.attributes["peragus.outcome"] = outcome
                failed = outcome not in ("ok", "stopped")
                self.observability.tracer.end(span, error=outcome if failed else None)
                log.info(
                    "cell run finished", notebook=session.id, cell=run.filename, outcome=outcome
                )

    def _run_and_publish(self, session: Session, cell_id: str, run: CellRun, span: Span) -> str:
        """The run, its events published; its outcome (a metrics label)."""
        topic = f"session:{session.id}"
        publish = self.hub.publish_from_thread
        trace = {**traced(span), "runId": run.run_id}
        publish(topic, "cell:updated", {"cell": session.cell_json(cell_id), **trace})
        outcome: dict[str, Any] = {}
        label = "error"
        try:
            result = run.run(
                lambda stream, line: publish(
                    topic,
                    "cell:output",
                    {"cellId": cell_id, "output": {"type": stream, "data": line}},
                ),
                # A first toolchain install takes seconds: the cell says so instead of
                # sitting silently on Stop.
                lambda message: publish(
                    topic, "cell:notice", {"cellId": cell_id, "message": message}
                ),
            )
            outcome = {
                "exitCode": result.exit_code,
                "stopped": result.stopped,
                "stoppedBy": result.stopped_by,
                "timedOut": result.timed_out,
                "truncated": result.truncated,
                "durationMs": round(result.duration_ms, 1),
            }
            label = outcome_of(result)
        except ToolError as exc:
            self.observability.error(exc.code, exc.message, "ws cell:exec")
            publish(topic, "cell:error", {"cellId": cell_id, **_error(exc), **trace})
            outcome = {"exitCode": None}
            label = "compile_error" if exc.code == "PERAGUS_COMPILE_FAILED" else "error"
        finally:
            session.runs.pop(cell_id, None)
        try:
            cell = session.cell_json(cell_id)
        except ToolError:
            return label
        publish(topic, "cell:updated", {"cell": cell, **outcome, **trace})
        return label

    def _install(self, session: Session, topic: str, packages: list[str]) -> None:
        publish = self.hub.publish_from_thread
        publish(topic, "deps:install:status", {"status": "installing"})
        installs = self.observability.metrics.npm_installs
        try:
            code = install(
                session.folder,
                packages,
                lambda stream, line: publish(
                    topic, "deps:install:log", {"log": {"type": stream, "data": line}}
                ),
            )
        except ToolError as exc:
            installs.labels("error").inc()
            self.observability.error(exc.code, exc.message, "ws deps:install")
            publish(topic, "deps:install:status", {"status": "failed", **_error(exc)})
            return
        installs.labels("ok" if code == 0 else "failed").inc()
        with session.lock:
            package_json = session.folder / "package.json"
            if package_json.is_file():
                source = package_json.read_text(encoding="utf-8")
                current = session.notebook.package_json or PackageJsonCell(source="")
                session.notebook = session.notebook.model_copy(
                    update={"package_json": current.model_copy(update={"source": source})}
                )
        status = "complete" if code == 0 else "failed"
        publish(topic, "deps:install:status", {"status": status, "code": code})
        if session.notebook.package_json is not None:
            publish(topic, "cell:updated", {"cell": session.cell_json(PACKAGE_ID)})
