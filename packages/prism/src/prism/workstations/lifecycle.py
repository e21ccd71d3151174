"""Moving workstations through their life, always checked against what EC2 says now.

prism's records are a cache of EC2: ``reconcile`` refreshes them from DescribeInstances by
instance id, so an instance deleted in the console shows as gone, never as running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from groundwork.errors import ExitCode, ToolError
from prism.cloud.errors import aws_call
from prism.cloud.instances import InstanceView, describe, find_by_workspace
from prism.cloud.session import CloudSession
from prism.workstations.model import Workstation, WorkstationState, state_from_ec2
from prism.workstations.results import WorkstationList, WorkstationResult
from prism.workstations.store import WorkstationStore

__all__ = ["Lifecycle", "Listing"]

_SETTLED_ELSEWHERE = (WorkstationState.DELETED, WorkstationState.FAILED, WorkstationState.GONE)

SessionFor = Callable[[Workstation], CloudSession]
FRESH_SECONDS = 2.0


@dataclass(frozen=True)
class _Described:
    """One DescribeInstances answer for a profile and region, and when it was asked."""

    key: tuple[str, str]
    at: float
    ids: frozenset[str]
    views: dict[str, InstanceView]


@dataclass(frozen=True)
class Listing:
    """The reconciled workstations as the API answers them (a :class:`WorkstationList`, and a
    :class:`WorkstationResult` by name), and what they were built on: the store's version and
    the DescribeInstances answers they were reconciled against.
    """

    store_version: int
    described: tuple[_Described, ...]
    documents: Mapping[str, bytes]
    body: bytes


class Lifecycle:
    def __init__(self, store: WorkstationStore, session_for: SessionFor) -> None:
        self.store = store
        self.session_for = session_for
        self._seen: dict[tuple[str, str], _Described] = {}
        self._listing: Listing | None = None
        self._listing_lock = threading.Lock()

    def reconcile(self, workstations: Sequence[Workstation]) -> list[Workstation]:
        """Refresh records from EC2, one DescribeInstances per profile and region."""
        self._reconcile(workstations)
        return list(workstations)

    def _reconcile(self, workstations: Sequence[Workstation]) -> list[_Described]:
        """Reconcile in place; returns the DescribeInstances answers it was done against."""
        groups: dict[tuple[str, str], list[Workstation]] = {}
        for ws in workstations:
            if ws.state not in _SETTLED_ELSEWHERE and ws.instance_id:
                groups.setdefault((ws.profile, ws.region), []).append(ws)
        used = []
        for key, members in groups.items():
            described = self._describe(key, members)
            used.append(described)
            for ws in members:
                view = described.views.get(ws.instance_id or "")
                if view is None:
                    new_state = WorkstationState.GONE
                    ws.message = "the instance no longer exists in EC2 (deleted outside prism?)"
                else:
                    hibernated = ws.state is WorkstationState.HIBERNATED or (
                        ws.state is WorkstationState.STOPPING and ws.message == "hibernating"
                    )
                    new_state = state_from_ec2(view.state, hibernated=hibernated)
                    ws.public_ip = view.public_ip
                    ws.private_ip = view.private_ip
                if new_state != ws.state:
                    read_as, ws.state = ws.state, new_state
                    self.store.save_if(ws, read_as)
        return used

    def _describe(self, key: tuple[str, str], members: list[Workstation]) -> _Described:
        """DescribeInstances, reused for a moment: fifty clients listing at once cost one call.

        Any change prism makes clears it, and a new instance id misses it.
        """
        ids = frozenset(ws.instance_id for ws in members if ws.instance_id)
        cached = self._seen.get(key)
        if cached and self._fresh(cached) and ids <= cached.ids:
            return cached
        views = describe(self.session_for(members[0]).client("ec2"), sorted(ids))
        described = _Described(key, time.monotonic(), ids, views)
        self._seen[key] = described
        return described

    @staticmethod
    def _fresh(described: _Described) -> bool:
        return time.monotonic() - described.at < FRESH_SECONDS

    def current_listing(self) -> Listing | None:
        """The last listing if it is still what :meth:`list` would answer now, else None.

        That holds while the store is unchanged and each DescribeInstances answer the listing was
        reconciled against is still the one a reconcile would reuse. Any change prism makes (a
        launch's included) or those answers growing older than ``FRESH_SECONDS`` ends it. Cheap
        and free of I/O, so the daemon calls it on its event loop.
        """
        listing = self._listing
        if listing is None or listing.store_version != self.store.version:
            return None
        for described in listing.described:
            if not self._fresh(described) or self._seen.get(described.key) is not described:
                return None
        return listing

    def listing(self) -> Listing:
        """:meth:`list` as JSON documents, reconciled once for any number of callers at once."""
        with self._listing_lock:
            current = self.current_listing()
            if current is not None:
                return current
            version = self.store.version
            found = self.store.list()
            described = self._reconcile(found)
            documents = {
                ws.name: WorkstationResult(workstation=ws).model_dump_json().encode()
                for ws in found
            }
            body = WorkstationList(workstations=found).model_dump_json().encode()
            self._listing = Listing(version, tuple(described), documents, body)
            return self._listing

    def recover_interrupted(self) -> list[Workstation]:
        """After a crash: launches cut short find their instance by tag, or are marked failed."""
        recovered = []
        for ws in self.store.list():
            if ws.state is not WorkstationState.LAUNCHING or ws.instance_id:
                continue
            view = find_by_workspace(self.session_for(ws).client("ec2"), ws.name)
            if view is None:
                ws.state = WorkstationState.FAILED
                ws.message = "the launch was interrupted before the instance was created"
            else:
                ws.instance_id = view.instance_id
                ws.state = state_from_ec2(view.state, hibernated=False)
                ws.message = "found again after an interrupted launch"
            self.store.save(ws)
            recovered.append(ws)
        return recovered

    def list(self) -> list[Workstation]:
        return self.reconcile(self.store.list())

    def get(self, name: str) -> Workstation:
        return self.reconcile([self.store.require(name)])[0]

    def stop(self, name: str) -> Workstation:
        ws = self._live(name, allowed=(WorkstationState.RUNNING, WorkstationState.PENDING))
        ec2 = self.session_for(ws).client("ec2")
        aws_call("StopInstances", ec2.stop_instances, InstanceIds=[ws.instance_id])
        self._seen.clear()
        ws.state, ws.message = WorkstationState.STOPPING, ""
        ws.state_reason = None
        return self.store.save(ws)

    def hibernate(self, name: str) -> tuple[Workstation, str | None]:
        """Hibernate, or stop with a notice when the instance was not launched to hibernate."""
        ws = self._live(name, allowed=(WorkstationState.RUNNING,))
        if not ws.hibernation:
            stopped = self.stop(name)
            return stopped, (
                f"{name} was not launched with hibernation, so it was stopped instead"
                " (its memory is not kept). Launch with --hibernation to hibernate."
            )
        ec2 = self.session_for(ws).client("ec2")
        aws_call("StopInstances", ec2.stop_instances, InstanceIds=[ws.instance_id], Hibernate=True)
        self._seen.clear()
        ws.state, ws.message = WorkstationState.HIBERNATED, "hibernating"
        ws.state_reason = None
        return self.store.save(ws), None

    def start(self, name: str) -> Workstation:
        ws = self._live(name, allowed=(WorkstationState.STOPPED, WorkstationState.HIBERNATED))
        ec2 = self.session_for(ws).client("ec2")
        aws_call("StartInstances", ec2.start_instances, InstanceIds=[ws.instance_id])
        self._seen.clear()
        ws.state, ws.message = WorkstationState.PENDING, ""
        ws.state_reason = None
        return self.store.save(ws)

    def resume(self, name: str) -> Workstation:
        return self.start(name)

    def delete(self, name: str) -> Workstation:
        ws = self.store.require(name)
        if ws.instance_id and ws.state not in _SETTLED_ELSEWHERE:
            ec2 = self.session_for(ws).client("ec2")
            aws_call("TerminateInstances", ec2.terminate_instances, InstanceIds=[ws.instance_id])
            self._seen.clear()
        ws.state, ws.message = WorkstationState.DELETED, ""
        return self.store.save(ws)

    def _live(self, name: str, *, allowed: Sequence[WorkstationState]) -> Workstation:
        ws = self.get(name)
        if ws.state not in allowed:
            raise ToolError(
                "PRISM_WORKSTATION_WRONG_STATE",
                f"{name} is {ws.state}; this needs it {' or '.join(str(s) for s in allowed)}.",
                suggestions=[
                    "See its state with: prism list",
                    "Wait for it to settle, then try again.",
                ],
                context={"state": str(ws.state)},
                exit_code=ExitCode.CONFLICT,
            )
        return ws
