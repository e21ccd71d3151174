"""The daemon's listing: reconciled against EC2, reused while nothing could have changed it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prism.workstations import lifecycle
from prism.workstations.lifecycle import Lifecycle
from prism.workstations.model import Workstation, WorkstationState
from prism.workstations.store import WorkstationStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class Session:
    def __init__(self, ec2: Any) -> None:
        self.ec2 = ec2
        self.calls = 0

    def client(self, _service: str) -> Any:
        self.calls += 1
        return self.ec2


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(lifecycle, "time", fake)
    return fake


@pytest.fixture
def running(aws: Any, tmp_path: Path) -> tuple[Lifecycle, Session, Workstation]:
    ec2 = aws("ec2")
    image = ec2.register_image(Name="listing-test", RootDeviceName="/dev/sda1")["ImageId"]
    instance = ec2.run_instances(ImageId=image, InstanceType="t3.medium", MinCount=1, MaxCount=1)
    ws = Workstation(
        name="alpha",
        profile="test",
        region="us-east-1",
        simulated=False,
        template="ubuntu-server",
        template_name="Ubuntu Server",
        instance_type="t3.medium",
        architecture="x86_64",
        instance_id=instance["Instances"][0]["InstanceId"],
        state=WorkstationState.RUNNING,
    )
    store = WorkstationStore(tmp_path / "prism.db")
    store.create(ws)
    session = Session(ec2)
    return Lifecycle(store, lambda _ws: session), session, ws  # type: ignore[arg-type, return-value]


def states(body: bytes) -> dict[str, str]:
    return {w["name"]: w["state"] for w in json.loads(body)["workstations"]}


def test_a_listing_is_reused_while_its_ec2_answer_is_fresh(
    running: tuple[Lifecycle, Session, Workstation], clock: Clock
) -> None:
    life, session, _ = running
    assert life.current_listing() is None
    first = life.listing()
    assert states(first.body) == {"alpha": "running"}
    assert json.loads(first.documents["alpha"])["workstation"]["name"] == "alpha"
    clock.now += lifecycle.FRESH_SECONDS / 2
    assert life.current_listing() is first
    assert life.listing() is first
    assert session.calls == 1


def test_an_instance_deleted_outside_prism_is_gone_once_the_answer_is_stale(
    running: tuple[Lifecycle, Session, Workstation], clock: Clock
) -> None:
    life, session, ws = running
    life.listing()
    session.ec2.terminate_instances(InstanceIds=[ws.instance_id])
    clock.now += lifecycle.FRESH_SECONDS
    assert life.current_listing() is None
    assert states(life.listing().body) == {"alpha": "gone"}
    assert life.get("alpha").state is WorkstationState.GONE


def test_any_change_to_the_records_ends_the_listing(
    running: tuple[Lifecycle, Session, Workstation], clock: Clock
) -> None:
    life, _, ws = running
    first = life.listing()
    life.store.save(ws.model_copy(update={"message": "touched"}))
    assert life.current_listing() is None
    again = life.listing()
    assert again is not first
    assert json.loads(again.documents["alpha"])["workstation"]["message"] == "touched"


def test_a_change_prism_makes_shows_at_once(
    running: tuple[Lifecycle, Session, Workstation], clock: Clock
) -> None:
    life, _, _ = running
    first = life.listing()
    life.stop("alpha")
    assert life.current_listing() is None
    after = life.listing()
    assert after is not first
    assert states(after.body)["alpha"] == "stopped"


def test_a_reconcile_that_read_before_a_delete_does_not_bring_the_workstation_back(
    running: tuple[Lifecycle, Session, Workstation], clock: Clock
) -> None:
    life, _, _ = running
    read_before = life.store.list()  # a listing under way: its records read, EC2 not yet asked
    life.delete("alpha")
    assert [w.state for w in life.reconcile(read_before)] == [WorkstationState.GONE]
    assert life.store.get("alpha").state is WorkstationState.DELETED  # type: ignore[union-attr]
    assert life.list() == []
