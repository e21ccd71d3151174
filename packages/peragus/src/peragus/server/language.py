"""The editor's language features for open notebooks: a tsserver each, started on demand.

`tsserver:start` (sent by a page that opens a notebook) starts the notebook's tsserver; it stops
on `tsserver:stop`, when the last page on the notebook goes, and when the notebook is deleted.
After each edit the edited cell's diagnostics go out first (what the typist waits for), then the
other cells', which an edit can change through their imports; a newer edit cancels that pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundwork.errors import ToolError
from peragus.editor.tsserver import TsServer, TsServerFailed
from peragus.execution.toolchain import TYPESCRIPT, ensure, node
from peragus.notebooks.model import FILENAME
from peragus.server.hub import Hub
from peragus.server.sessions import Session

__all__ = ["LanguageFeatures"]

MAX_COMPLETIONS = 300
_WORD = re.compile(r"[\w$]*$")


@dataclass
class _Notebook:
    server: TsServer
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    generation: int = 0
    background: asyncio.Task[None] | None = None
    published: dict[str, Any] = field(default_factory=dict)


def _offset_text(source: str, line: int, offset: int) -> str:
    """The text of ``line`` before tsserver's 1-based ``offset``."""
    lines = source.split("\n")
    return lines[line - 1][: offset - 1] if 0 < line <= len(lines) else ""


class LanguageFeatures:
    def __init__(self, home: Path, hub: Hub) -> None:
        self.home = home
        self.hub = hub
        self._open: dict[str, _Notebook] = {}
        self._starting: dict[str, asyncio.Lock] = {}

    def running(self, session_id: str) -> bool:
        return session_id in self._open

    def count(self) -> int:
        """tsserver processes running now."""
        return sum(1 for state in self._open.values() if state.server.running)

    def kill_all(self) -> None:
        """SIGKILL to every tsserver at once: a forced shutdown does not wait for them."""
        for state in self._open.values():
            state.server.kill()

    @staticmethod
    def _files(session: Session) -> dict[str, str]:
        with session.lock:
            return {
                c.filename: c.source
                for c in session.notebook.code_cells()
                if FILENAME.match(c.filename)
            }

    async def start(self, session: Session, topic: str) -> None:
        lock = self._starting.setdefault(session.id, asyncio.Lock())
        async with lock:
            if session.id not in self._open:
                await self.hub.publish(topic, "tsserver:status", {"status": "starting"})

                def notice(message: str) -> None:
                    self.hub.publish_from_thread(
                        topic, "tsserver:status", {"status": "installing", "message": message}
                    )

                try:
                    tsserver = await asyncio.to_thread(ensure, self.home, TYPESCRIPT, notice)
                    server = TsServer(node(), tsserver, session.folder)
                    await server.start()
                except ToolError as exc:
                    await self.hub.publish(
                        topic, "tsserver:status", {"status": "failed", "message": exc.message}
                    )
                    raise
                if self.hub.subscribers(topic) == 0:
                    await server.stop()  # the page left while it started
                    return
                self._open[session.id] = _Notebook(server)
                await self.hub.publish(topic, "tsserver:status", {"status": "ready"})
        await self.diagnose(session, topic, None)

    async def stop(self, session_id: str) -> None:
        state = self._open.pop(session_id, None)
        if state is None:
            return
        if state.background is not None:
            state.background.cancel()
        await state.server.stop()

    async def restart(self, session: Session, topic: str) -> None:
        """tsconfig.json changed: a fresh tsserver reads it."""
        if session.id in self._open:
            await self.stop(session.id)
            await self.start(session, topic)

    async def stop_all(self) -> None:
        for session_id in list(self._open):
            await self.stop(session_id)

    async def _server(self, session: Session) -> _Notebook:
        """The notebook's tsserver, started (or restarted, if it died) on demand, as srcbook's."""
        state = self._open.get(session.id)
        if state is not None and not state.server.running:
            await self.stop(session.id)
            state = None
        if state is None:
            await self.start(session, f"session:{session.id}")
            state = self._open.get(session.id)
            if state is None:
                raise TsServerFailed("no page has this notebook open")
        return state

    async def diagnose(self, session: Session, topic: str, first: str | None) -> None:
        """Diagnostics for cell ``first`` now, then every other cell's in the background."""
        state = self._open.get(session.id)
        if state is None:
            return
        state.generation += 1
        generation = state.generation
        if state.background is not None:
            state.background.cancel()
        files = self._files(session)
        async with state.lock:
            await state.server.sync(files)
            if first is not None and first in files:
                await self._publish(session, topic, state, first)
        rest = [name for name in files if name != first]
        state.background = asyncio.create_task(
            self._diagnose_rest(session, topic, state, rest, generation)
        )

    async def _diagnose_rest(
        self, session: Session, topic: str, state: _Notebook, names: list[str], generation: int
    ) -> None:
        with contextlib.suppress(TsServerFailed, ToolError):
            for name in names:
                if state.generation != generation:
                    return
                async with state.lock:
                    await self._publish(session, topic, state, name)

    async def _publish(self, session: Session, topic: str, state: _Notebook, name: str) -> None:
        errors, suggestions = await state.server.diagnostics(name)
        cell_id = session.id_of(name)
        if cell_id is None:
            return
        if state.published.get(name) == (errors, suggestions):
            return
        state.published[name] = (errors, suggestions)
        await self.hub.publish(
            topic, "tsserver:cell:diagnostics", {"cellId": cell_id, "diagnostics": errors}
        )
        await self.hub.publish(
            topic, "tsserver:cell:suggestions", {"cellId": cell_id, "diagnostics": suggestions}
        )

    async def republish(self, session: Session, topic: str) -> None:
        """A page that subscribes late gets every cell's diagnostics again."""
        state = self._open.get(session.id)
        if state is not None:
            state.published.clear()
            await self.diagnose(session, topic, None)

    async def completions(
        self, session: Session, cell_id: str, line: int, offset: int
    ) -> dict[str, Any]:
        state = await self._server(session)
        cell = session.code_cell(cell_id)
        async with state.lock:
            await state.server.sync(self._files(session))
            body = await state.server.completions(cell.filename, line, offset)
        prefix = _WORD.search(_offset_text(cell.source, line, offset))
        typed = prefix.group(0).lower() if prefix else ""
        entries = [
            {
                key: entry[key]
                for key in (
                    "name",
                    "kind",
                    "kindModifiers",
                    "sortText",
                    "insertText",
                    "source",
                    "hasAction",
                    "data",
                )
                if key in entry
            }
            for entry in body.get("entries", [])
            if entry.get("name", "").lower().startswith(typed)
        ]
        entries.sort(key=lambda e: (e.get("sortText", ""), e["name"]))
        return {
            "isMemberCompletion": body.get("isMemberCompletion", False),
            "from": {"line": line, "offset": offset - len(typed)},
            "entries": entries[:MAX_COMPLETIONS],
            "truncated": len(entries) > MAX_COMPLETIONS,
        }

    async def completion_actions(
        self, session: Session, cell_id: str, line: int, offset: int, entry: dict[str, Any]
    ) -> list[dict[str, Any]]:
        state = await self._server(session)
        cell = session.code_cell(cell_id)
        async with state.lock:
            await state.server.sync(self._files(session))
            return await state.server.completion_actions(cell.filename, line, offset, entry)

    async def quickinfo(
        self, session: Session, cell_id: str, line: int, offset: int
    ) -> dict[str, Any] | None:
        state = await self._server(session)
        cell = session.code_cell(cell_id)
        async with state.lock:
            await state.server.sync(self._files(session))
            return await state.server.quickinfo(cell.filename, line, offset)

    async def definition(
        self, session: Session, cell_id: str, line: int, offset: int
    ) -> list[dict[str, Any]]:
        """Where a name is defined; ``cellId`` says which cell when it is one of this notebook's."""
        state = await self._server(session)
        cell = session.code_cell(cell_id)
        async with state.lock:
            await state.server.sync(self._files(session))
            found = await state.server.definition(cell.filename, line, offset)
        src = session.folder / "src"
        places = []
        for place in found:
            path = Path(place["file"])
            target = session.id_of(path.name) if path.parent == src else None
            places.append(
                {
                    "cellId": target,
                    "filename": path.name if target else None,
                    "file": None if target else str(path),
                    "start": place["start"],
                    "end": place["end"],
                }
            )
        return places
