"""prismd's live event stream (GET /api/v1/events) against a sandbox prismd: what the dashboard
and the TUI hear, in order, without asking."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter

from prism.daemon.client import DaemonClient
from prism.daemon.events import DaemonEvent, NotificationEvent, WorkstationEvent
from prism.daemon.follow import follow_launch
from prism.workstations.results import LaunchResult, WorkstationResult

EVENTS: TypeAdapter[WorkstationEvent | NotificationEvent] = TypeAdapter(DaemonEvent)
WAIT = 60.0
"""Seconds to wait for an event at most (a bound on a hang, not a timing)."""


@pytest.fixture(scope="module")
def client(clocked_prismd: Any) -> DaemonClient:
    return DaemonClient(clocked_prismd.state)


@pytest.fixture(autouse=True)
def quick_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRISM_EVENTS_SETTLE_SECONDS", "0.2")


class Listener:
    """The stream read in a thread, as a UI would, its events queued for the test."""

    def __init__(self, client: DaemonClient, last_event_id: int | None = None) -> None:
        self.events: queue.Queue[tuple[str, str, WorkstationEvent | NotificationEvent]] = (
            queue.Queue()
        )
        self.client = client
        self.last = last_event_id
        self.open = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            self._stream()
        except httpx.TransportError:
            return  # prismd stopped at the end of the module

    def _stream(self) -> None:
        path = "/api/v1/events"
        with httpx.Client(
            base_url=self.client.ensure_running().url, timeout=httpx.Timeout(WAIT)
        ) as http:
            headers = {"Authorization": f"Bearer {self.client._token()}"}
            if self.last is not None:
                headers["Last-Event-ID"] = str(self.last)
            from httpx_sse import connect_sse

            with connect_sse(http, "GET", path, headers=headers) as source:
                self.open.set()
                for sse in source.iter_sse():
                    if not sse.data:
                        continue  # cut off by prismd stopping at the module's end
                    self.events.put((sse.event, sse.id, EVENTS.validate_json(sse.data)))

    def until(self, seen: Any, what: str) -> list[WorkstationEvent | NotificationEvent]:
        got: list[WorkstationEvent | NotificationEvent] = []
        while True:
            try:
                name, ident, event = self.events.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"never heard {what}; heard {got}") from None
            assert name == event.type and ident == str(event.id)
            got.append(event)
            if seen(event):
                return got


def is_state(name: str, state: str) -> Any:
    def seen(event: WorkstationEvent | NotificationEvent) -> bool:
        return (
            isinstance(event, WorkstationEvent)
            and event.workstation.name == name
            and event.workstation.state == state
        )

    return seen


def is_note(kind: str, name: str) -> Any:
    def seen(event: WorkstationEvent | NotificationEvent) -> bool:
        return (
            isinstance(event, NotificationEvent)
            and event.notification.kind == kind
            and event.notification.workstation == name
        )

    return seen


@pytest.fixture
def listener(client: DaemonClient) -> Iterator[Listener]:
    heard = Listener(client)
    assert heard.open.wait(WAIT)
    yield heard


def test_a_launch_is_heard_step_by_step_then_its_end(
    client: DaemonClient, listener: Listener
) -> None:
    body = {"template": "ubuntu-server", "name": "heard", "wait": True}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, "heard", on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)
    got = listener.until(is_note("launch-finished", "heard"), "the launch's end")
    states = [e.workstation.state for e in got if isinstance(e, WorkstationEvent)]
    assert states[0] == "launching"
    assert "running" in states
    first = next(e for e in got if isinstance(e, WorkstationEvent))
    assert first.previous_state is None
    ids = [e.id for e in got]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_a_stop_through_the_api_is_heard_until_it_has_stopped(
    client: DaemonClient, listener: Listener
) -> None:
    client.call("POST", "/api/v1/workstations/heard/stop", WorkstationResult)
    got = listener.until(is_state("heard", "stopped"), "heard stopped")
    stopping = [
        e for e in got if isinstance(e, WorkstationEvent) and e.workstation.state == "stopping"
    ]
    assert stopping and stopping[0].previous_state == "running"


def test_a_reconnect_with_last_event_id_gets_what_it_missed(client: DaemonClient) -> None:
    first = Listener(client)
    assert first.open.wait(WAIT)
    client.call("POST", "/api/v1/workstations/heard/start", WorkstationResult)
    pending = first.until(is_state("heard", "pending"), "heard pending")[-1]
    first.until(is_state("heard", "running"), "heard running")
    again = Listener(client, last_event_id=pending.id)
    replayed = again.until(is_state("heard", "running"), "the running state again")
    assert replayed[0].id == pending.id + 1


def test_the_stream_needs_the_token_and_refuses_other_origins(client: DaemonClient) -> None:
    url = client.ensure_running().url
    assert httpx.get(f"{url}/api/v1/events").status_code == 401
    token = {"Authorization": f"Bearer {client._token()}"}
    foreign = httpx.get(f"{url}/api/v1/events", headers={**token, "Origin": "https://evil.example"})
    assert foreign.status_code == 403


def test_an_idle_action_is_heard_as_a_notification_and_a_state_change(
    client: DaemonClient, listener: Listener, clocked_prismd: Any
) -> None:
    body = {"template": "ubuntu-server", "name": "idler", "wait": True}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, "idler", on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)
    simulated = client._token()
    url = client.ensure_running().url
    reply = httpx.post(
        f"{url}/api/v1/idle/idler/simulate",
        json={"idle_minutes": 90},
        headers={"Authorization": f"Bearer {simulated}"},
        timeout=60,
    )
    assert reply.status_code == 200, reply.text
    clocked_prismd.engine.run_checks()
    got = listener.until(is_note("idle-action", "idler"), "the idle action")
    changed = [
        e
        for e in got
        if isinstance(e, WorkstationEvent)
        and e.workstation.name == "idler"
        and e.workstation.state_reason is not None
    ]
    assert changed and changed[-1].workstation.state_reason is not None
    assert changed[-1].workstation.state_reason.by == "idle-policy"


def test_a_quiet_stream_sends_keep_alive_pings(
    client: DaemonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRISM_PROGRESS_PING_SECONDS", "0.3")
    headers = {"Authorization": f"Bearer {client._token()}"}
    url = client.ensure_running().url
    with httpx.stream("GET", f"{url}/api/v1/events", headers=headers, timeout=WAIT) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        for line in stream.iter_lines():
            if line.startswith(":"):
                assert "ping" in line
                break
        else:
            raise AssertionError("the stream ended without a ping")
