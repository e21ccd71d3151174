"""The checks behind `ai-config doctor`.

What the checks use is imported here, not inside them: they run in threads at once, and two
threads importing the same package for the first time can deadlock on its import locks.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from ai_config.config import check_config
from ai_config.exports.check import stale_exports
from ai_config.home import home
from ai_config.library.git import Git, git_available
from ai_config.library.store import Library
from ai_config.maintenance import perf
from ai_config.maintenance.repair import broken_export_records
from ai_config.mcp.catalog import McpCatalog
from ai_config.sync.status import sync_status
from groundwork.errors import ToolError
from groundwork.health import CheckResult, HealthRegistry, Status, folder_check

_MIN_GIT = (2, 25)


def _git_version() -> CheckResult:
    if not git_available():
        return CheckResult("git", Status.ERROR, "git is not installed", "apt install git")
    text = Git(Path.cwd()).out("--version")
    found = re.search(r"(\d+)\.(\d+)", text)
    version = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    if version < _MIN_GIT:
        return CheckResult(
            "git", Status.ERROR, f"{text} is older than 2.25", "Upgrade git to 2.25 or newer."
        )
    return CheckResult("git", Status.OK, text)


def _repositories() -> CheckResult:
    lib = Library(home())
    if (lib.base_dir / ".git").is_dir() and not lib.personal_git_dir.is_dir():
        return CheckResult(
            "libraries",
            Status.ERROR,
            f"the personal library's git history ({lib.personal_git_dir}) is missing",
            "ai-config repair (starts a new history with your files as they are)",
        )
    if not lib.initialised:
        return CheckResult("libraries", Status.INFO, "no library yet", "ai-config init")
    for name, repo in (("base", lib.base), ("personal", lib.personal)):
        done = repo.run("fsck", "--no-dangling", "--connectivity-only", check=False)
        if done.returncode != 0:
            return CheckResult(
                "libraries",
                Status.ERROR,
                f"the {name} repository is damaged: {done.stderr.strip()[:120]}",
                "Restore it: ai-config backup list, then ai-config backup restore ID",
            )
    interrupted = lib.interrupted_update()
    if interrupted:
        return CheckResult(
            "libraries",
            Status.ERROR,
            f"an update ({interrupted['old'][:8]} -> {interrupted['new'][:8]}) was interrupted",
            "Run ai-config library update again to finish it (or ai-config repair, which finishes"
            " it to the revision it was going to); nothing was lost.",
        )
    return CheckResult("libraries", Status.OK, "base and personal repositories are intact")


def _library_checks() -> list[CheckResult]:
    """Conflicts, unsafe symlinks and exports, from one library status."""
    lib = Library(home())
    if not lib.initialised:
        return []
    try:
        scans = lib.scans()
        # Not timed: it runs beside the other checks, and the performance check reads the
        # figure a user's own status kept.
        status = lib.status(scans=scans, timed=False)
    except ToolError as exc:
        if exc.code.startswith("AI_CONFIG_CONFIG_"):  # the config check reports it
            return [
                CheckResult(name, Status.INFO, "skipped: library.lock is unreadable", "see config")
                for name in ("conflicts", "symlinks", "exports")
            ]
        raise
    conflicts = [o.path for o in status.overrides if o.state == "conflict"]
    links = status.unsafe_links
    # Broken records are the export records check's finding; reading them here would fail.
    stale = stale_exports(home(), scans) if broken_export_records(home()) is None else []
    return [
        CheckResult(
            "conflicts",
            Status.WARNING if conflicts else Status.OK,
            f"unresolved merge conflicts in {', '.join(conflicts)}" if conflicts else "none",
            f"Settle each: ai-config library resolve {conflicts[0]} --ours, --theirs or --merged"
            if conflicts
            else None,
        ),
        CheckResult(
            "symlinks",
            Status.ERROR if links else Status.OK,
            "symlinks leading outside a library (never followed): "
            + ", ".join(f"{u.path} ({u.library}) -> {u.target}" for u in links[:3])
            if links
            else "every library path stays inside its library",
            "Have the library's owners replace them with the files themselves." if links else None,
        ),
        CheckResult(
            "exports",
            Status.WARNING if stale else Status.OK,
            f"{len(stale)} to look at: "
            + ", ".join(f"{e.path} ({e.agent}, {e.state})" for e in stale[:3])
            if stale
            else "up to date",
            "ai-config agent export --all (or --check to see them)" if stale else None,
        ),
    ]


def _config() -> CheckResult:
    return check_config(home() / "library.lock")


def _destinations() -> CheckResult:
    targets = [Path.home() / ".aws" / "amazonq", Path.home() / ".claude", Path.home() / ".kiro"]
    blocked = [str(t) for t in targets if t.exists() and not os.access(t, os.W_OK)]
    if blocked:
        return CheckResult(
            "destinations", Status.ERROR, f"not writable: {', '.join(blocked)}", "Fix the owner."
        )
    return CheckResult("destinations", Status.OK, "export folders are writable")


def _secrets() -> CheckResult:
    try:
        return McpCatalog(home()).secrets.box.check()
    except ToolError as exc:
        return CheckResult("secrets key", Status.ERROR, exc.message, exc.suggestions[0])


def _sync() -> CheckResult:
    lib = Library(home())
    if not lib.initialised:
        return CheckResult("sync", Status.INFO, "no library yet", "ai-config init")
    found = sync_status(lib)
    where = f"in a {found.folder.tool} folder" if found.folder else "not in a synced folder"
    if found.lock is not None and found.lock.stale:
        return CheckResult(
            "sync",
            Status.WARNING,
            f"personal library {where}; a stale update lock: {found.lock.reason}",
            "ai-config repair",
        )
    if found.conflict_copies:
        names = ", ".join(c.path for c in found.conflict_copies[:3])
        return CheckResult(
            "sync",
            Status.WARNING,
            f"personal library {where}; {len(found.conflict_copies)} conflict copies: {names}",
            "ai-config sync merge",
        )
    return CheckResult("sync", Status.OK, f"personal library {where}; nothing waits")


def _export_records() -> CheckResult:
    broken = broken_export_records(home())
    if broken is None:
        return CheckResult("export records", Status.OK, "readable")
    good, lost = broken
    return CheckResult(
        "export records",
        Status.ERROR,
        f"state/exports.json cannot be read ({lost} broken, {len(good)} readable)",
        "ai-config repair (keeps the readable ones, after a backup)",
    )


def _performance() -> CheckResult:
    figures = perf.read(home())
    status, update = figures.get("status"), figures.get("update")
    if status is None:
        return CheckResult(
            "performance", Status.INFO, "no status measured yet", "ai-config library status"
        )
    files = int(status.get("files", 0))
    parts = [
        f"{files} library files",
        f"last status {status['ms']:.0f} ms (target {perf.STATUS_TARGET_MS:.0f} ms)",
    ]
    slow = []
    if status["ms"] > perf.STATUS_TARGET_MS:
        slow.append("status")
    if update is not None:
        parts.append(
            f"last update {update['ms'] / 1000:.1f} s (target {perf.UPDATE_TARGET_MS / 1000:.0f} s)"
        )
        if update["ms"] > perf.UPDATE_TARGET_MS:
            slow.append("update")
    if files > perf.FILES_TARGET:
        slow.append(f"library size (beyond the {perf.FILES_TARGET:,} files measured)")
    message = ", ".join(parts)
    if slow:
        return CheckResult(
            "performance",
            Status.WARNING,
            f"{message}; over target: {', '.join(slow)}",
            "ai-config gc; split large folders into sources a profile leaves out"
            " (ai-config profile add NAME --source ...)",
        )
    return CheckResult("performance", Status.OK, message)


def checks() -> HealthRegistry:
    registry = HealthRegistry(timeout_seconds=20)
    shared = _Once(_library_checks)
    registry.register("home folder", folder_check("home folder", home()))
    registry.register("git", _git_version)
    registry.register("config", _config)
    registry.register("libraries", _repositories)
    for name in ("conflicts", "symlinks", "exports"):
        registry.register(name, functools.partial(_first, shared, name))
    registry.register("sync", _sync)
    registry.register("export records", _export_records)
    registry.register("performance", _performance)
    registry.register("destinations", _destinations)
    registry.register("secrets key", _secrets)
    return registry


class _Once:
    """The library's checks run once for the three doctor checks that report them (they run
    in threads at once: the first computes, the others wait for its answer)."""

    def __init__(self, compute: Callable[[], list[CheckResult]]) -> None:
        self.compute = compute
        self.lock = threading.Lock()
        self.results: list[CheckResult] | None = None

    def __call__(self) -> list[CheckResult]:
        with self.lock:
            if self.results is None:
                self.results = self.compute()
            return self.results


def _first(shared: _Once, name: str) -> CheckResult:
    for result in shared():
        if result.name == name:
            return result
    return CheckResult(name, Status.INFO, "no library yet", "ai-config init")
