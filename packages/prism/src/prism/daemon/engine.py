"""What the daemon does, without HTTP: launches in worker threads with live progress, the
lifecycle operations, and the checks that run in the background (idle policies, budgets), over
one store, one clock and one cloud session per profile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ToolError
from groundwork.logs import get_logger
from prism.clock import Clock, SystemClock
from prism.cloud.session import CloudSession
from prism.cost.costing import Costing
from prism.daemon.events import EventBus
from prism.daemon.notifier import Notifier
from prism.idle.enforce import IdleEnforcer
from prism.idle.policies import NO_POLICY, Policies
from prism.profiles import ProfileStore
from prism.projects.budgets import Budgets
from prism.projects.store import Projects
from prism.workstations.launch import Launcher, LaunchRequest
from prism.workstations.lifecycle import Lifecycle
from prism.workstations.model import Workstation, WorkstationState
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
    def __init__(self, home: Path, clock: Clock | None = None) -> None:
        self.home = home
        self.clock = clock or SystemClock()
        self.profiles = ProfileStore(home)
        self.store = WorkstationStore(home / "prism.db", self.clock)
        self.events = EventBus(self.clock)
        self.store.listeners.append(self.events.workstation_saved)
        self.notify = Notifier(home, self.store.records, self.events)
        self.policies = Policies(self.store.records)
        self.projects = Projects(self.store.records)
        self.launcher = Launcher(home, self.store, admit=self._admit)
        self.lifecycle = Lifecycle(self.store, self.session_for)
        self.costing = Costing(home, self.store, self.session, self.session_for)
        self.budgets = Budgets(self.projects, self.costing, self.lifecycle, self.notify)
        self.idle = IdleEnforcer(self.store, self.lifecycle, self.session_for, self.notify)
        self.launches: dict[str, LaunchHandle] = {}
        self._sessions: dict[str, CloudSession] = {}
        self._lock = threading.Lock()
        self._budget_lock = threading.Lock()  # the timer and a launch's end: one alert each
        self._workers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="launch")
        self._stopping = threading.Event()
        self._checker: threading.Thread | None = None

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

    def _admit(self, ws: Workstation, request: LaunchRequest) -> None:
        """A new workstation's project and budget checked, its idle policy settled: none with
        --no-idle or when its template turns idle detection off (recorded, so it stays so).
        """
        self.budgets.admit(ws)
        opted_out = not request.idle or ws.idle_agent_minutes is None
        if not request.dry_run:
            if opted_out:
                self.policies.apply(NO_POLICY, "workstation", ws.name)
            else:
                self.policies.forget("workstation", ws.name)
        ws.idle = None if opted_out else self.policies.resolve(ws)

    def reresolve(self, names: list[str] | None = None) -> list[str]:
        """Settle again the idle policy of workstations (all of them by default) after policies
        or where they apply changed; returns those whose policy changed.
        """
        changed = []
        for ws in self.store.list():
            if names is not None and ws.name not in names:
                continue
            if ws.state is WorkstationState.DELETED:
                continue
            policy = self.policies.resolve(ws)
            if policy != ws.idle:
                ws.idle = policy
                self.store.save(ws)
                changed.append(ws.name)
        return changed

    def forget(self, ws: Workstation) -> None:
        """What applied to a deleted workstation."""
        self.policies.forget("workstation", ws.name)
        self.store.records.delete("idle-state", ws.name)

    def run_checks(self) -> None:
        """One round of the background checks: idle policies, then budgets."""
        try:
            self.idle.check()
        except ToolError as exc:
            log.warning("idle check failed", error=exc.message)
        self.check_budgets()

    def check_budgets(self) -> None:
        """Every budget against its thresholds: on the timer, and as soon as a launch into a
        project ends (its burn rate, so its forecast, changed).
        """
        if any(p.budget for p in self.projects.list()):
            try:
                with self._budget_lock:
                    self.costing.refresh()
                    self.budgets.check()
            except ToolError as exc:
                log.warning("budget check failed", error=exc.message)

    def start_checks(self, interval_seconds: float) -> None:
        """Run :meth:`run_checks` every interval in a thread, until :meth:`close`."""

        def loop() -> None:
            while not self._stopping.wait(interval_seconds):
                try:
                    self.run_checks()
                except Exception:  # the checks must outlive one bad round
                    log.exception("background check failed")

        self._checker = threading.Thread(target=loop, name="checks", daemon=True)
        self._checker.start()

    def launch(
        self,
        request: LaunchRequest,
        *,
        wait: bool = True,
        after: Callable[[LaunchHandle], None] | None = None,
    ) -> LaunchHandle:
        """Validate now (errors go straight back to the caller), launch in the background;
        ``after`` runs once the launch has ended, however it ended.
        """
        cloud = self.session()
        workstation, template = self.launcher.prepare(request, cloud)
        plan = self.launcher.plan_for(template.slug)
        plan.start("resolve")
        handle = LaunchHandle(plan, workstation)
        if request.dry_run:
            self._run(handle, request, cloud, template, wait, after)
            return handle
        self.launches[request.name] = handle
        self._workers.submit(self._run, handle, request, cloud, template, wait, after)
        return handle

    def _run(
        self,
        handle: LaunchHandle,
        request: LaunchRequest,
        cloud: CloudSession,
        template: LaunchTemplate,
        wait: bool,
        after: Callable[[LaunchHandle], None] | None = None,
    ) -> None:
        try:
            handle.workstation = self.launcher.launch(
                request, cloud, handle.plan, handle.workstation, template, wait=wait
            )
            if handle.workstation.project is not None and not request.dry_run:
                self.check_budgets()
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
            if after is not None:
                try:
                    after(handle)
                except ToolError as exc:
                    log.warning("after the launch", workstation=request.name, error=exc.message)
            handle.done = True
            if not request.dry_run:
                self._tell_launch_end(handle)

    def _tell_launch_end(self, handle: LaunchHandle) -> None:
        ws = handle.workstation
        if handle.error is None:
            kind, text = (
                "launch-finished",
                f"{ws.name} is {ws.state} (launched from {ws.template}).",
            )
        else:
            kind, text = "launch-failed", f"The launch of {ws.name} failed: {handle.error.message}"
        self.events.notify(kind, text, workstation=ws.name, project=ws.project)

    def recover(self) -> None:
        """At start: find instances of launches a previous daemon did not finish."""
        try:
            for ws in self.lifecycle.recover_interrupted():
                log.info("recovered launch", workstation=ws.name, state=str(ws.state))
        except ToolError as exc:
            log.warning("could not recover interrupted launches", error=exc.message)

    def close(self) -> None:
        self._stopping.set()
        if self._checker is not None:
            self._checker.join(timeout=30)
        self._workers.shutdown(wait=False, cancel_futures=True)
        self.store.close()
