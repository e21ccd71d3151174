"""One run of a code cell, as a child process in the notebook folder.

JavaScript runs under `node` directly. TypeScript is bundled with esbuild (the cell and the
sibling files it imports; npm packages stay external so node resolves them from the notebook's
node_modules, as tsx would) into `.peragus/build/`, cached by the content of the notebook's files,
and run with `node --enable-source-maps` so errors point at the cell's own lines.

The child gets its own process group and its own containment (:mod:`.containment`: a cgroup, or
RLIMIT_NPROC): stop sends SIGTERM to the group, then SIGKILL to every process of the run after a
grace period, so a cell that forks, even one whose children leave its group, leaves nothing
behind. A run has a timeout, a CPU-time limit, a heap limit, a memory limit, a process-count
limit and an output cap; a run whose output passes the cap is stopped, and says so.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import resource
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from groundwork.errors import ExitCode, ToolError
from peragus.execution.containment import BACKGROUND_AFTER_SECONDS, Containment, Usage, contain
from peragus.execution.marks import OWNER_ENV, RUN_ID_ENV, owner_mark
from peragus.execution.toolchain import OnNotice, esbuild, node
from peragus.notebooks.model import FILENAME, language_of

__all__ = ["CellRun", "CompileFailed", "Limits", "RunResult"]

Stream = Literal["stdout", "stderr"]
StoppedBy = Literal["output", "timeout", "memory", "stop", "shutdown"]
OnOutput = Callable[[Stream, str], None]
CHUNK_BYTES = 64 * 1024
_BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL", "TERM")


class CompileFailed(ToolError):
    """The cell's TypeScript does not compile: a failure of the cell, not of peragus."""

    def __init__(self, filename: str, errors: str) -> None:
        super().__init__(
            "PERAGUS_COMPILE_FAILED",
            f"{filename} does not compile:\n{errors}",
            suggestions=["Fix the error at the line shown, then run the cell again."],
            exit_code=ExitCode.FAILURE,
        )


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float = 300.0
    cpu_seconds: int = 600
    heap_mb: int = 1024
    output_bytes: int = 1_000_000
    grace_seconds: float = 2.0
    max_tasks: int = 512
    """Processes and threads together, as the kernel counts them (a node process has ~11)."""
    memory_mb: int = 2048
    """All the run's processes together, Buffers outside V8's heap included, in a cgroup; without
    one, each process's writable memory (RLIMIT_DATA) is capped a little above it."""


@dataclass
class RunResult:
    exit_code: int | None
    duration_ms: float
    first_output_ms: float | None
    stopped: bool = False
    timed_out: bool = False
    truncated: bool = False
    stopped_by: StoppedBy | None = None
    hit_task_limit: bool = False
    output: list[tuple[Stream, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.exit_code == 0
            and not self.stopped
            and not self.timed_out
            and self.stopped_by is None
        )


def _files_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((folder / "src").glob("*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    tsconfig = folder / "tsconfig.json"
    if tsconfig.exists():
        digest.update(tsconfig.read_bytes())
    return digest.hexdigest()[:20]


class CellRun:
    def __init__(
        self,
        home: Path,
        folder: Path,
        filename: str,
        *,
        secrets: dict[str, str] | None = None,
        limits: Limits = Limits(),
        traceparent: str | None = None,
    ) -> None:
        self.home = home
        self.folder = folder
        self.filename = filename
        self.secrets = secrets or {}
        self.limits = limits
        self.traceparent = traceparent
        self.run_id = _new_run_id()
        self.started_at = time.time()
        self._process: subprocess.Popen[bytes] | None = None
        self._containment: Containment | None = None
        self._stop_requested = threading.Event()
        self._stopped_by: StoppedBy | None = None

    def check_runnable(self) -> None:
        """Raises the error a run of this cell would, before anything is installed."""
        source = self.folder / "src" / self.filename
        if not source.is_file():
            raise ToolError(
                "PERAGUS_CELL_NOT_FOUND",
                f"There is no cell file {source}.",
                suggestions=["Save the notebook first, or check the cell's name."],
                exit_code=ExitCode.NOT_FOUND,
            )
        if not FILENAME.match(self.filename):
            raise ToolError(
                "PERAGUS_CELL_NOT_RUNNABLE",
                f"{self.filename} is kept as a cell, but peragus runs only JavaScript and"
                " TypeScript cells (.js, .mjs, .cjs, .ts, .mts, .cts).",
                suggestions=[
                    f"Rename it with one of those extensions if it is JavaScript or TypeScript;"
                    f" otherwise run it yourself from the notebook folder ({self.folder})."
                ],
                exit_code=ExitCode.USAGE,
            )

    def command(self, on_notice: OnNotice | None = None) -> list[str]:
        self.check_runnable()
        source = self.folder / "src" / self.filename
        # V8 collects garbage late, near its heap limit: under a lower memory limit, that alone
        # would get a cell killed for garbage it no longer holds.
        heap = min(self.limits.heap_mb, self.limits.memory_mb * 3 // 4)
        flags = [node(), f"--max-old-space-size={heap}"]
        if language_of(self.filename) == "javascript":
            return [*flags, str(source)]
        return [*flags, "--enable-source-maps", str(self._compiled(source, on_notice))]

    def _compiled(self, source: Path, on_notice: OnNotice | None) -> Path:
        stem = source.name.rsplit(".", 1)[0]
        out = self.folder / ".peragus" / "build" / f"{stem}-{_files_digest(self.folder)}.mjs"
        if out.exists():
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        # Built under another name and renamed: a kill mid-build must not leave a partial file
        # that the next run would take for the cached build.
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
        done = subprocess.run(
            [
                str(esbuild(self.home, on_notice)),
                str(source),
                "--bundle",
                "--packages=external",
                "--platform=node",
                "--format=esm",
                "--target=node20",
                "--sourcemap=inline",
                "--log-level=error",
                f"--outfile={partial}",
            ],
            cwd=self.folder,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CompileFailed(self.filename, done.stderr.strip())
        partial.replace(out)
        for old in out.parent.glob(f"{stem}-*.mjs"):
            if old != out:
                old.unlink(missing_ok=True)
        return out

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in _BASE_ENV}
        env["NODE_ENV"] = "development"
        env[RUN_ID_ENV] = self.run_id  # how a leftover process is recognised
        if (owner := owner_mark()) is not None:
            env[OWNER_ENV] = owner  # and one whose server was killed
        if self.traceparent:
            env["TRACEPARENT"] = self.traceparent  # the W3C name a traced client library reads
        env.update(self.secrets)
        return env

    def _limit_child(self) -> None:
        """In the child before exec: into the run's containment, CPU time capped."""
        assert self._containment is not None
        self._containment.child_setup()
        cpu = self.limits.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    def usage(self) -> Usage | None:
        """The run's processes' CPU and memory now; None before it starts or after it ends."""
        process, containment = self._process, self._containment
        if process is None or containment is None or process.returncode is not None:
            return None
        return containment.usage(process.pid)

    def run(
        self, on_output: OnOutput | None = None, on_notice: OnNotice | None = None
    ) -> RunResult:
        """``on_notice`` hears what happens before the cell starts (a first toolchain install)."""
        started = time.perf_counter()  # compiling counts: it is part of what the user waits for
        command = self.command(on_notice)
        result = RunResult(exit_code=None, duration_ms=0.0, first_output_ms=None)
        limits = self.limits
        self._containment = contain(self.run_id, limits.max_tasks, limits.memory_mb * 1024 * 1024)
        try:
            self._execute(command, result, on_output, started)
        finally:
            self._containment.close()
        return result

    def _execute(
        self, command: list[str], result: RunResult, on_output: OnOutput | None, started: float
    ) -> None:
        self._process = process = subprocess.Popen(
            command,
            cwd=self.folder,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=self._limit_child,
        )
        budget = [self.limits.output_bytes]
        lock = threading.Lock()

        def emit(stream: Stream, data: bytes, decoder: codecs.IncrementalDecoder) -> None:
            with lock:
                if result.first_output_ms is None:
                    result.first_output_ms = (time.perf_counter() - started) * 1000
                if result.truncated:
                    return
                over = len(data) > budget[0]
                text = decoder.decode(data[: budget[0]], final=over)
                budget[0] -= min(len(data), budget[0])
                if text:
                    result.output.append((stream, text))
                notice = None
                if over:
                    # Cutting the output alone would leave it running for minutes.
                    result.truncated = True
                    self._end(process, "output", graceful=False)
                    notice = (
                        f"[output passed {self.limits.output_bytes:,} bytes: the run was stopped]\n"
                    )
                    result.output.append(("stderr", notice))
            if on_output and text:
                on_output(stream, text)
            if on_output and notice:
                on_output("stderr", notice)

        def pump(stream: Stream, pipe: object) -> None:
            """Whatever the pipe holds, in whole lines: a flood goes out in large chunks
            rather than a message per line, and a line is never split mid-character.
            """
            assert hasattr(pipe, "read1")
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            pending = b""
            while chunk := pipe.read1(CHUNK_BYTES):
                pending += chunk
                cut = pending.rfind(b"\n") + 1
                if cut == 0 and len(pending) < CHUNK_BYTES:
                    continue  # half a line: wait for its end
                cut = cut or len(pending)
                emit(stream, pending[:cut], decoder)
                pending = pending[cut:]
            if pending:
                emit(stream, pending, decoder)

        readers = [
            threading.Thread(target=pump, args=("stdout", process.stdout), daemon=True),
            threading.Thread(target=pump, args=("stderr", process.stderr), daemon=True),
        ]
        for reader in readers:
            reader.start()
        assert self._containment is not None
        background = threading.Timer(BACKGROUND_AFTER_SECONDS, self._to_background, (process.pid,))
        background.daemon = True
        background.start()
        try:
            process.wait(timeout=self.limits.timeout_seconds)
        except subprocess.TimeoutExpired:
            result.timed_out = True
            self._end(process, "timeout")
        background.cancel()
        # Whatever the cell started may outlive it (a detached child): nothing may outlive the run.
        self._kill_all(process)
        for reader in readers:
            reader.join(timeout=5)
        result.exit_code = process.returncode
        result.stopped = self._stop_requested.is_set()
        assert self._containment is not None
        result.hit_task_limit = self._containment.hit_process_limit()
        if self._stopped_by is None and self._containment.out_of_memory():
            self._stopped_by = "memory"
        result.stopped_by = self._stopped_by
        result.duration_ms = (time.perf_counter() - started) * 1000
        for notice in self._limit_notices(result):
            result.output.append(("stderr", notice))
            if on_output:
                on_output("stderr", notice)

    def _limit_notices(self, result: RunResult) -> list[str]:
        notices = []
        if result.stopped_by == "memory":
            notices.append(
                f"[the run was stopped: its processes used more than {self.limits.memory_mb:,} MB"
                " of memory]\n"
            )
        if result.hit_task_limit:
            notices.append(
                f"[the cell reached its limit of {self.limits.max_tasks} processes and threads;"
                " starting more failed]\n"
            )
        return notices

    def _to_background(self, leader: int) -> None:
        if self._stopped_by is None and self._containment is not None:
            self._containment.to_background(leader)

    def stop(self, why: StoppedBy = "stop") -> None:
        """SIGTERM to the cell's process group, SIGKILL to all its processes after the grace."""
        self._stop_requested.set()
        if self._process is not None:
            self._end(self._process, why)

    def kill(self) -> None:
        """SIGKILL at once to every process of the run (a forced shutdown)."""
        self._stop_requested.set()
        if self._process is not None:
            self._end(self._process, "shutdown", graceful=False)

    def _end(
        self, process: subprocess.Popen[bytes], why: StoppedBy, *, graceful: bool = True
    ) -> None:
        if self._stopped_by is None:
            self._stopped_by = why
        if self._containment is not None:
            self._containment.to_foreground(process.pid)
        if graceful:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=self.limits.grace_seconds)
        self._kill_all(process)

    def _kill_all(self, process: subprocess.Popen[bytes]) -> None:
        if self._containment is not None:
            self._containment.to_foreground(process.pid)  # a starved process is slow to die
            self._containment.kill_all(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _new_run_id() -> str:
    return secrets.token_hex(6)
