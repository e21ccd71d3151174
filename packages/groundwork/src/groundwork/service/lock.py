"""One instance per state folder: two daemons writing the same state would corrupt it."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir

__all__ = ["InstanceLock"]


class InstanceLock:
    """An exclusive ``flock`` on a file; the kernel drops it when the process dies, even by
    SIGKILL, so a crash never leaves a stale lock behind.
    """

    def __init__(self, path: Path, *, what: str) -> None:
        self.path = path
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> None:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ToolError(
                "GROUNDWORK_SERVICE_ALREADY_RUNNING",
                f"{self.what} is already running for this state folder (pid {holder}).",
                suggestions=[
                    "Use the running instance, or stop it first.",
                    "To run a second one, give it its own state folder.",
                ],
                context={"lock_file": str(self.path), "pid": holder},
                exit_code=ExitCode.CONFLICT,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.release()
