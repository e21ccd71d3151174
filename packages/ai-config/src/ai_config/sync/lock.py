"""The update lock: one machine at a time changes a personal library that several share.

``<personal>/.ai-config/update.lock`` says which host (and process) is updating, since when; a
sync tool carries it to the other machines, which then wait. A lock is stale when its process is
gone (on this host, where that can be checked) or when it is older than :data:`STALE_AFTER` (on
another host, which cannot be asked); a stale lock is broken safely: it is renamed aside first,
and removed only if it is still the one judged stale (another machine may have taken a fresh one
meanwhile).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import Field

from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError

__all__ = ["STALE_AFTER", "Clock", "LockInfo", "break_stale", "lock_info", "update_lock"]

STALE_AFTER = timedelta(minutes=30)
"""An update takes seconds (the target is 30 s); a lock this old from another host is left over."""

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Holder:
    host: str
    pid: int
    action: str
    at: str
    token: str


class LockInfo(Result):
    """Who holds the update lock, and whether it is left over."""

    host: str
    pid: int
    action: str
    at: str
    stale: bool
    reason: str | None = Field(default=None, description="Why it is stale")


def _read(path: Path) -> _Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _Holder(
            str(data["host"]), int(data["pid"]), str(data["action"]), str(data["at"]), data["token"]
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        # Unreadable (half-synced, edited): nobody can own it, so it is left over.
        return _Holder("?", 0, "?", datetime.min.replace(tzinfo=UTC).isoformat(), "")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _stale_reason(holder: _Holder, now: datetime) -> str | None:
    if holder.host == socket.gethostname():
        if holder.pid > 0 and _alive(holder.pid):
            return None
        return f"process {holder.pid} on this host ({holder.host}) is gone"
    try:
        age = now - datetime.fromisoformat(holder.at)
    except ValueError:
        return "its time is unreadable"
    if age > STALE_AFTER:
        minutes = int(age.total_seconds() // 60)
        return f"taken {minutes} minutes ago on {holder.host}; an update takes seconds"
    return None


def lock_info(lock: Path, *, now: Clock = _now) -> LockInfo | None:
    holder = _read(lock)
    if holder is None:
        return None
    reason = _stale_reason(holder, now())
    return LockInfo(
        host=holder.host,
        pid=holder.pid,
        action=holder.action,
        at=holder.at,
        stale=reason is not None,
        reason=reason,
    )


def break_stale(lock: Path, *, now: Clock = _now) -> LockInfo | None:
    """Remove the lock if it is stale (renamed aside first, then checked); the lock broken."""
    holder = _read(lock)
    if holder is None or _stale_reason(holder, now()) is None:
        return None
    info = lock_info(lock, now=now)
    aside = lock.with_name(f"{lock.name}.breaking-{secrets.token_hex(4)}")
    try:
        lock.rename(aside)
    except FileNotFoundError:
        return None  # another process broke it first
    if _read(aside) != holder:
        # A fresh lock replaced the stale one between the read and the rename: put it back.
        with contextlib.suppress(OSError):
            os.link(aside, lock)
        aside.unlink(missing_ok=True)
        return None
    aside.unlink()
    return info


def _take(lock: Path, staged: Path, now: Clock) -> bool:
    """Link the staged lock into place, breaking a stale one first; False if it stays held."""
    for attempt in range(2):
        try:
            os.link(staged, lock)
            return True
        except FileExistsError:
            info = lock_info(lock, now=now)
            if info is not None and not info.stale:
                raise _locked(lock, info) from None
            if attempt == 0:
                break_stale(lock, now=now)
    return False


def _locked(lock: Path, info: LockInfo) -> ToolError:
    return ToolError(
        "AI_CONFIG_LIBRARY_LOCKED",
        f"{info.host} (process {info.pid}) has been running `{info.action}` on the personal"
        f" library since {info.at}; two machines changing it at once would clash.",
        suggestions=[
            "Wait for it to finish (an update takes seconds), then run this again.",
            f"If that machine stopped mid-update, the lock ({lock}) is broken on its own once"
            f" stale ({int(STALE_AFTER.total_seconds() // 60)} minutes), or now with:"
            " ai-config repair (it checks first)",
        ],
        context={"lock": str(lock), "host": info.host, "pid": info.pid},
        exit_code=ExitCode.CONFLICT,
    )


@contextlib.contextmanager
def update_lock(lock: Path, action: str, *, now: Clock = _now) -> Iterator[None]:
    """Hold the lock while changing the personal library; a stale one is broken first."""
    mine = _Holder(
        socket.gethostname(), os.getpid(), action, now().isoformat(), secrets.token_hex(8)
    )
    lock.parent.mkdir(parents=True, exist_ok=True)
    # Written whole beside it, then linked into place: the lock never exists half-written
    # (another process would read that as a lock nobody owns, and break it).
    staged = lock.with_name(f".{lock.name}.{mine.token}.tmp")  # gc removes one a crash left
    staged.write_text(json.dumps(asdict(mine)), encoding="utf-8")
    try:
        taken = _take(lock, staged, now)
    finally:
        staged.unlink(missing_ok=True)
    if not taken:
        info = lock_info(lock, now=now)
        raise _locked(lock, info or LockInfo(host="?", pid=0, action="?", at="?", stale=True))
    try:
        yield
    finally:
        if _read(lock) == mine:
            lock.unlink(missing_ok=True)
