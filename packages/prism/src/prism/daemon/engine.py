"""What the daemon does, without HTTP: launches in worker threads with live progress, and the
lifecycle operations, over one store and one cloud session per profile.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ToolError
from groundwork.logs import get_logger
from prism.cloud.session import CloudSession
from prism.profiles import ProfileStore
from prism.workstations.launch import Launcher, LaunchRequest
from prism.workstations.lifecycle import Lifecycle
from prism.workstations.model import Workstation
from prism.workstations.progress import ProgressPlan
from prism.workstations.store import WorkstationStore
from prism.workstations.templating import LaunchTemplate

__all__ = ["Engine", "LaunchHandle"]

log = get_logger("prism.daemon")


@dataclass
class LaunchHandle:
    plan: ProgressPlan
    workstation: Workstation
    error: ToolError | None = None
    done: bool = False


class Engine:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.profiles = ProfileStore(home)
        self.store = WorkstationStore(home / "prism.db")
        self.launcher = Launcher(home, self.store)
        self.lifecycle = Lifecycle(self.store, self.session_for)
        self.launches: dict[str, LaunchHandle] = {}
        self._sessions: dict[str, CloudSession] = {}
        self._lock = threading.Lock()
        self._workers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="launch")

    def session(self, profile_name: str | None = None) -> CloudSession:
        profile = self.profiles.get(profile_name) if profile_name else self.profiles.active()
        with self._lock:
            cached = self._sessions.get(profile.name)
            if cached is None or cached.profile != profile:
                cached = CloudSession(profile, self.home)
                self._sessions[profile.name] = cached
            return cached

    def session_for(self, workstation: Workstation) -> CloudSession:
        return self.session(workstation.profile)

    def launch(self, request: LaunchRequest, *, wait: bool = True) -> LaunchHandle:
        """Validate now (errors go straight back to the caller), launch in the background."""
        cloud = self.session()
        workstation, template = self.launcher.prepare(request, cloud)
        plan = self.launcher.plan_for(template.slug)
        plan.start("resolve")
        handle = LaunchHandle(plan, workstation)
        if request.dry_run:
            self._run(handle, request, cloud, template, wait)
            return handle
        self.launches[request.name] = handle
        self._workers.submit(self._run, handle, request, cloud, template, wait)
        return handle

    def _run(
        self,
        handle: LaunchHandle,
        request: LaunchRequest,
        cloud: CloudSession,
        template: LaunchTemplate,
        wait: bool,
    ) -> None:
        try:
            handle.workstation = self.launcher.launch(
                request, cloud, handle.plan, handle.workstation, template, wait=wait
            )
        except ToolError as exc:
            handle.error = exc
            if not handle.plan.snapshot().failed:
                handle.plan.fail(handle.plan.snapshot().current or "prepare", exc.message)
        except Exception as exc:  # a worker must report its failure, not die silently
            log.exception("launch failed", workstation=request.name)
            handle.error = ToolError(
                "PRISM_LAUNCH_FAILED",
                f"The launch of {request.name} failed unexpectedly: {exc}.",
                suggestions=["See the daemon log: prism daemon logs"],
            )
            handle.plan.fail(handle.plan.snapshot().current or "boot", str(exc))
        finally:
            handle.done = True

    def recover(self) -> None:
        """At start: find instances of launches a previous daemon did not finish."""
        try:
            for ws in self.lifecycle.recover_interrupted():
                log.info("recovered launch", workstation=ws.name, state=str(ws.state))
        except ToolError as exc:
            log.warning("could not recover interrupted launches", error=exc.message)

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)
        self.store.close()
