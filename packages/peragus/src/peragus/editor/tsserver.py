"""One tsserver per open notebook, over its stdio protocol.

Requests go to tsserver's stdin as JSON lines; replies and events come back on its stdout as
`Content-Length` frames. Each request waits for the reply with its sequence number. The cells'
text is given to tsserver as open files (`updateOpen`), so diagnostics follow what is typed before
anything is compiled, and the notebook's tsconfig.json applies, since the cells sit in its src/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from groundwork.errors import ExitCode, ToolError

__all__ = ["TsServer", "TsServerFailed"]

REQUEST_TIMEOUT = 30.0
_PREFERENCES = {
    "includeCompletionsForModuleExports": True,  # sibling cells' exports and packages' too
    "includeCompletionsWithInsertText": True,
    "includeCompletionsForImportStatements": True,
    "allowIncompleteCompletions": True,
    "importModuleSpecifierEnding": "js",
}


class TsServerFailed(ToolError):
    def __init__(self, why: str) -> None:
        super().__init__(
            "PERAGUS_TSSERVER_FAILED",
            f"The TypeScript language server stopped or did not answer: {why}.",
            suggestions=["Reload the page to start it again; the notebook itself is saved."],
            exit_code=ExitCode.UNAVAILABLE,
            transient=True,
        )


class TsServer:
    """``start`` runs ``node tsserver.js``; ``stop`` ends it. Every request is a coroutine."""

    def __init__(self, node: str, tsserver: Path, folder: Path) -> None:
        self.node = node
        self.tsserver = tsserver
        self.folder = folder
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._seq = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._open: dict[str, str] = {}
        self._write_lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def path(self, filename: str) -> str:
        return str(self.folder / "src" / filename)

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self.node,
            "--max-old-space-size=1024",
            str(self.tsserver),
            "--disableAutomaticTypingAcquisition",
            "--locale",
            "en",
            cwd=self.folder,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        self._reader = asyncio.create_task(self._read())
        await self.request("configure", {"preferences": _PREFERENCES, "hostInfo": "peragus"})

    def kill(self) -> None:
        """SIGKILL to its process group, without waiting (a forced shutdown)."""
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, BrokenPipeError, ConnectionResetError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        if self._reader is not None:
            self._reader.cancel()
        self._fail_waiting("it was stopped")
        self._open.clear()

    def _fail_waiting(self, why: str) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(TsServerFailed(why))
        self._waiting.clear()

    async def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        stdout = process.stdout
        try:
            while True:
                header = await stdout.readline()
                if not header:
                    break
                if not header.lower().startswith(b"content-length:"):
                    continue
                length = int(header.split(b":", 1)[1])
                await stdout.readline()  # the blank line after the header
                message = json.loads(await stdout.readexactly(length))
                if message.get("type") == "response":
                    future = self._waiting.pop(message.get("request_seq", -1), None)
                    if future is not None and not future.done():
                        future.set_result(message)
        except (asyncio.IncompleteReadError, ValueError, ConnectionResetError):
            pass
        self._fail_waiting("its process ended")

    async def request(self, command: str, arguments: dict[str, Any]) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdin is None or process.returncode is not None:
            raise TsServerFailed("it is not running")
        self._seq += 1
        seq = self._seq
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[seq] = future
        line = json.dumps(
            {"seq": seq, "type": "request", "command": command, "arguments": arguments}
        )
        async with self._write_lock:
            try:
                process.stdin.write(line.encode() + b"\n")
                await process.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                self._waiting.pop(seq, None)
                raise TsServerFailed("its input closed") from None
        try:
            reply = await asyncio.wait_for(future, REQUEST_TIMEOUT)
        except TimeoutError:
            self._waiting.pop(seq, None)
            raise TsServerFailed(f"no answer to {command} in {REQUEST_TIMEOUT:.0f} s") from None
        return reply

    async def sync(self, files: dict[str, str]) -> None:
        """Makes tsserver's copy of the cells ``files`` (name to text); the rest are closed."""
        changed = {name: text for name, text in files.items() if self._open.get(name) != text}
        closed = [name for name in self._open if name not in files]
        if not changed and not closed:
            return
        await self.request(
            "updateOpen",
            {
                "openFiles": [
                    {
                        "file": self.path(name),
                        "fileContent": text,
                        "projectRootPath": str(self.folder),
                    }
                    for name, text in changed.items()
                ],
                "closedFiles": [self.path(name) for name in closed],
            },
        )
        for name in closed:
            del self._open[name]
        self._open.update(changed)

    async def diagnostics(self, filename: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Errors (syntactic, then semantic) and suggestions for one cell, in srcbook's shape."""
        file = self.path(filename)
        syntactic, semantic, suggestion = await asyncio.gather(
            self.request("syntacticDiagnosticsSync", {"file": file}),
            self.request("semanticDiagnosticsSync", {"file": file}),
            self.request("suggestionDiagnosticsSync", {"file": file}),
        )
        errors = [*_diagnostics(syntactic), *_diagnostics(semantic)]
        return errors, _diagnostics(suggestion)

    async def completions(self, filename: str, line: int, offset: int) -> dict[str, Any]:
        reply = await self.request(
            "completionInfo",
            {
                "file": self.path(filename),
                "line": line,
                "offset": offset,
                "includeExternalModuleExports": True,
                "includeInsertTextCompletions": True,
            },
        )
        body: dict[str, Any] = reply.get("body") or {"entries": []}
        return body

    async def completion_actions(
        self, filename: str, line: int, offset: int, entry: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The edits an auto-import completion brings (its `import` line), for this file."""
        reply = await self.request(
            "completionEntryDetails",
            {"file": self.path(filename), "line": line, "offset": offset, "entryNames": [entry]},
        )
        details = reply.get("body") or [] if reply.get("success") else []
        file = self.path(filename)
        return [
            change
            for detail in details
            for action in detail.get("codeActions") or []
            for edit in action.get("changes") or []
            if edit.get("fileName") == file
            for change in edit.get("textChanges") or []
        ]

    async def quickinfo(self, filename: str, line: int, offset: int) -> dict[str, Any] | None:
        reply = await self.request(
            "quickinfo", {"file": self.path(filename), "line": line, "offset": offset}
        )
        body: dict[str, Any] | None = reply.get("body") if reply.get("success") else None
        return body

    async def definition(self, filename: str, line: int, offset: int) -> list[dict[str, Any]]:
        reply = await self.request(
            "definition", {"file": self.path(filename), "line": line, "offset": offset}
        )
        found: list[dict[str, Any]] = reply.get("body") or [] if reply.get("success") else []
        return found


def _diagnostics(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": d.get("code"),
            "category": d.get("category", "error"),
            "text": d.get("text", ""),
            "start": d["start"],
            "end": d["end"],
        }
        for d in reply.get("body") or []
        if "start" in d and "end" in d
    ]
