"""prismd's side of idle detection: each workstation's idle status from its agent's samples,
the warning, and the action once the policy's time is up.

A workstation is idle from the first idle sample after its last active one (samples from before
it last started do not count), so any activity its agent sees pushes the deadline back: the
activity bump. The warning always comes first and its whole lead time is given, even when the
samples say the deadline has passed (prismd was down, the samples came late), so nobody is
stopped without warning. A workstation whose agent is silent is never acted on: no samples is
not proof of idleness. Hibernate falls back to stop where the instance cannot hibernate.

`prism idle simulate` stands in for an agent that has reported for the whole span it publishes:
when the warning fell inside that span, it is given as of then (the time the samples say it was
due), so a sandbox workstation fed 40 idle minutes under a 30-minute policy is warned at 25 and
acted on at once, as prismd watching live would have done by now. Real samples never backdate it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel

from groundwork.errors import ToolError
from groundwork.logs import get_logger
from prism.cloud.errors import aws_call
from prism.cloud.session import CloudSession
from prism.idle.metrics import Signal, read_signals
from prism.idle.model import IdleStatus
from prism.records import Event, Records
from prism.workstations.lifecycle import Lifecycle
from prism.workstations.model import StateReason, Workstation, WorkstationState
from prism.workstations.store import WorkstationStore

__all__ = ["SIMULATED", "IdleEnforcer", "Simulated", "running_since"]

log = get_logger("prism.idle")

STALE_MINUTES = 15
_LOOKBACK_EXTRA = timedelta(hours=1)
_LOOKBACK_MAX = timedelta(days=1)
_BOOKKEEPING = "idle-state"
_COMPUTE = (WorkstationState.PENDING, WorkstationState.RUNNING)

Notify = Callable[..., Event]


class _Warned(BaseModel):
    """The warning given for one idle spell (named by when it began)."""

    warned_at: datetime
    spell: datetime


class Simulated(BaseModel):
    """`prism idle simulate` on a sandbox workstation: samples going back to ``since``, which
    count as if it had been running since then (it may have started a minute ago).
    """

    published_at: datetime
    since: datetime


SIMULATED = "idle-simulated"


def running_since(store: WorkstationStore, name: str) -> datetime | None:
    """When the workstation last started (or was launched)."""
    since = None
    previous = None
    for state, at in store.history(name):
        if state in _COMPUTE and previous not in _COMPUTE:
            since = at
        previous = state
    return since


def _clock_text(at: datetime, now: datetime) -> str:
    minutes = max(0, round((at - now).total_seconds() / 60))
    return f"{at:%H:%M} UTC (in {minutes} min)"


class IdleEnforcer:
    def __init__(
        self,
        store: WorkstationStore,
        lifecycle: Lifecycle,
        session_for: Callable[[Workstation], CloudSession],
        notify: Notify,
    ) -> None:
        self.store = store
        self.lifecycle = lifecycle
        self.session_for = session_for
        self.notify = notify
        self._lock = threading.Lock()

    @property
    def records(self) -> Records:
        return self.store.records

    def statuses(self, names: Collection[str] | None = None) -> list[IdleStatus]:
        """Where each workstation stands, changing nothing."""
        return self._run(names, act=False)

    def check(self, names: Collection[str] | None = None) -> list[IdleStatus]:
        """Statuses, and the warnings and actions that are due."""
        with self._lock:
            return self._run(names, act=True)

    def _run(self, names: Collection[str] | None, *, act: bool) -> list[IdleStatus]:
        now = self.store.clock.now()
        found = [ws for ws in self.lifecycle.list() if names is None or ws.name in names]
        watched = [
            ws
            for ws in found
            if ws.state is WorkstationState.RUNNING and ws.idle is not None and ws.instance_id
        ]
        signals, unreadable = self._signals(watched, now)
        statuses = []
        for ws in found:
            status = self._status(ws, signals.get(ws.name), unreadable.get(ws.name), now)
            if act:
                status = self._enforce(ws, status, now)
            statuses.append(status)
        return statuses

    def _signals(
        self, watched: Sequence[Workstation], now: datetime
    ) -> tuple[dict[str, Signal], dict[str, str]]:
        groups: dict[str, list[Workstation]] = {}
        for ws in watched:
            groups.setdefault(ws.profile, []).append(ws)
        signals: dict[str, Signal] = {}
        unreadable: dict[str, str] = {}
        for members in groups.values():
            since = {}
            for ws in members:
                assert ws.idle is not None
                window = timedelta(minutes=ws.idle.idle_minutes + ws.idle.warn_minutes)
                earliest = now - min(window + _LOOKBACK_EXTRA, _LOOKBACK_MAX)
                started = running_since(self.store, ws.name) or earliest
                simulated = self.records.get(SIMULATED, ws.name, Simulated)
                if ws.simulated and simulated and simulated.published_at >= started:
                    started = min(started, simulated.since)
                since[ws.name] = max(started, earliest)
            try:
                cloudwatch = self.session_for(members[0]).client("cloudwatch")
                signals.update(read_signals(cloudwatch, since, members, now))
            except ToolError as exc:
                log.warning("could not read idle samples", error=exc.message)
                unreadable.update({ws.name: exc.message for ws in members})
        return signals, unreadable

    def _status(
        self, ws: Workstation, signal: Signal | None, unreadable: str | None, now: datetime
    ) -> IdleStatus:
        status = IdleStatus(
            workstation=ws.name,
            state=str(ws.state),
            simulated=ws.simulated,
            policy=ws.idle,
            signal="reporting",
            next="",
            last_action=ws.state_reason,
        )
        policy = ws.idle
        if policy is None:
            status.signal = "no-policy"
            status.next = f"no idle policy: add one with prism idle apply POLICY {ws.name}"
            return status
        if ws.state is not WorkstationState.RUNNING:
            status.signal = "not-running"
            status.next = f"{ws.state}; the policy watches it again once it runs"
            return status
        interval = ws.idle_agent_minutes
        if unreadable is not None:
            status.signal = "unreadable"
            status.next = f"its samples could not be read ({unreadable}); the policy waits"
            return status
        if signal is None or signal.last_report is None:
            if interval is None:
                status.signal = "no-agent"
                status.next = (
                    "it has no idle agent (launched with --no-idle or before idle detection):"
                    " its activity is not measured, so the policy never acts"
                )
            else:
                status.signal = "silent"
                status.next = f"waiting for its agent's first sample (every {interval} min)"
            return status
        status.last_report = signal.last_report
        status.last_activity = signal.last_activity
        stale_after = timedelta(minutes=max(STALE_MINUTES, 3 * (interval or 5)))
        if now - signal.last_report > stale_after:
            status.signal = "silent"
            status.next = (
                f"its agent last reported at {signal.last_report:%H:%M} UTC; the policy does not"
                " act on silence"
            )
            return status
        idle_since = signal.idle_since
        if idle_since is None:
            status.idle_minutes = 0.0
            status.next = f"active; then {policy.describe()}"
            return status
        status.idle_since = idle_since
        status.idle_minutes = round((now - idle_since).total_seconds() / 60, 1)
        deadline = idle_since + timedelta(minutes=policy.idle_minutes)
        lead = timedelta(minutes=policy.warn_minutes)
        warned = self.records.get(_BOOKKEEPING, ws.name, _Warned)
        status.warned_at = warned.warned_at if warned and warned.spell == idle_since else None
        if policy.warn_minutes == 0:
            status.action_at = deadline
        else:
            status.warn_at = deadline - lead
            if status.warned_at is not None:
                status.action_at = max(deadline, status.warned_at + lead)
            else:
                status.action_at = max(deadline, max(now, status.warn_at) + lead)
        verb = self._verb(ws)
        status.next = f"{verb} at {_clock_text(status.action_at, now)}"
        if status.warn_at is not None and status.warned_at is None:
            status.next += f", warning at {_clock_text(status.warn_at, now)}"
        return status

    @staticmethod
    def _verb(ws: Workstation) -> str:
        assert ws.idle is not None
        if ws.idle.action == "hibernate" and not ws.hibernation:
            return "stop (it cannot hibernate)"
        return ws.idle.action

    def _enforce(self, ws: Workstation, status: IdleStatus, now: datetime) -> IdleStatus:
        if status.idle_since is None or status.action_at is None or ws.idle is None:
            return status
        needs_warning = ws.idle.warn_minutes > 0 and status.warned_at is None
        if needs_warning and status.warn_at is not None and now >= status.warn_at:
            status = self._warn(ws, status, self._replayed(ws, status.warn_at) or now, now)
            needs_warning = False
        if status.action_at is not None and now >= status.action_at and not needs_warning:
            return self._act(ws, status, now)
        return status

    def _replayed(self, ws: Workstation, warn_at: datetime) -> datetime | None:
        """``warn_at`` when simulated samples cover it (see the module's note), else None."""
        if not ws.simulated:
            return None
        simulated = self.records.get(SIMULATED, ws.name, Simulated)
        if simulated is None or simulated.since > warn_at:
            return None
        return warn_at

    def _warn(self, ws: Workstation, status: IdleStatus, at: datetime, now: datetime) -> IdleStatus:
        """The warning, given ``at`` (now, or when simulated samples say it was due)."""
        assert ws.idle is not None and status.idle_since is not None
        lead = timedelta(minutes=ws.idle.warn_minutes)
        deadline = status.idle_since + timedelta(minutes=ws.idle.idle_minutes)
        action_at = max(deadline, at + lead)
        minutes = round((at - status.idle_since).total_seconds() / 60)
        text = (
            f"{ws.name} has been idle {minutes} min: idle policy {ws.idle.name} will"
            f" {self._verb(ws)} it at {action_at:%H:%M} UTC unless it is used."
        )
        self.records.put(_BOOKKEEPING, ws.name, _Warned(warned_at=at, spell=status.idle_since))
        self.notify("idle-warning", text, workstation=ws.name, project=ws.project)
        if not ws.simulated:
            self._tell_workstation(ws, text)
        return status.model_copy(
            update={
                "warned_at": at,
                "action_at": action_at,
                "next": f"{self._verb(ws)} at {_clock_text(action_at, now)} (warning given)",
            }
        )

    def _tell_workstation(self, ws: Workstation, text: str) -> None:
        """The warning on the workstation's terminals too (SSM), best effort."""
        try:
            ssm = self.session_for(ws).client("ssm")
            message = "prism: " + text.replace("'", "")
            aws_call(
                "SendCommand",
                ssm.send_command,
                InstanceIds=[ws.instance_id],
                DocumentName="AWS-RunShellScript",
                Comment="prism idle warning",
                Parameters={"commands": [f"wall '{message}'"]},
            )
        except ToolError as exc:
            log.info("could not show the idle warning on the workstation", error=exc.message)

    def _act(self, ws: Workstation, status: IdleStatus, now: datetime) -> IdleStatus:
        assert ws.idle is not None
        minutes = round(status.idle_minutes or 0)
        stopped_instead = False
        try:
            if ws.idle.action == "hibernate":
                acted, notice = self.lifecycle.hibernate(ws.name)
                stopped_instead = notice is not None
            else:
                acted = self.lifecycle.stop(ws.name)
        except ToolError as exc:
            if ws.idle.action != "hibernate" or exc.code != "PRISM_AWS_HIBERNATION_UNSUPPORTED":
                log.error("idle policy could not act", workstation=ws.name, error=exc.message)
                return status.model_copy(update={"next": f"could not act: {exc.message}"})
            acted, stopped_instead = self.lifecycle.stop(ws.name), True
        verb = "stopped" if stopped_instead or ws.idle.action == "stop" else "hibernated"
        text = f"{verb} by idle policy {ws.idle.name} after {minutes} min idle"
        if stopped_instead:
            text += " (it cannot hibernate)"
        acted.state_reason = StateReason(text=text, by="idle-policy", at=now)
        self.store.save(acted)
        self.records.delete(_BOOKKEEPING, ws.name)
        self.notify(
            "idle-action",
            f"{ws.name} was {text}. Start it again with: prism start {ws.name}",
            workstation=ws.name,
            project=ws.project,
        )
        return status.model_copy(
            update={
                "state": str(acted.state),
                "last_action": acted.state_reason,
                "next": f"{text}; start it again with prism start {ws.name}",
            }
        )
