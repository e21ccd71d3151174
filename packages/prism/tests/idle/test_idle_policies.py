"""prismd's idle enforcement against real CloudWatch metrics in the AWS emulator: the test
publishes what a workstation's agent would (PutMetricData, as the agent does), prismd reads it
back (GetMetricData) and warns, hibernates or stops real EC2 instances of the emulator. Time is a
clock the test moves: nothing sleeps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from groundwork.errors import ToolError
from prism.choices import IdleAction
from prism.daemon.notifier import Notifier
from prism.idle.enforce import IdleEnforcer
from prism.idle.model import IdlePolicy
from prism.idle.policies import DEFAULT_POLICY, NO_POLICY, Policies
from prism.workstations.lifecycle import Lifecycle
from prism.workstations.model import Workstation, WorkstationState
from prism.workstations.store import WorkstationStore


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)

    def now(self) -> datetime:
        return self.at

    def minutes(self, n: float) -> datetime:
        self.at += timedelta(minutes=n)
        return self.at


class Session:
    def __init__(self, aws: Any) -> None:
        self.aws = aws

    def client(self, service: str) -> Any:
        return self.aws(service)


class World:
    """A store, lifecycle, policies and enforcer over the emulator, with the test's clock."""

    def __init__(self, aws: Any, folder: Path, clock: Clock) -> None:
        self.aws = aws
        self.folder = folder
        self.clock = clock
        self.store = WorkstationStore(folder / "prism.db", clock)
        session = Session(aws)
        self.lifecycle = Lifecycle(self.store, lambda _ws: session)  # type: ignore[arg-type, return-value]
        self.policies = Policies(self.store.records)
        self.enforcer = IdleEnforcer(
            self.store,
            self.lifecycle,
            lambda _ws: session,  # type: ignore[arg-type, return-value]
            Notifier(folder, self.store.records),
        )
        ec2 = aws("ec2")
        self.image = ec2.register_image(Name="idle-tests", RootDeviceName="/dev/sda1")["ImageId"]

    def launch(self, name: str, *, hibernation: bool, policy: IdlePolicy | None) -> Workstation:
        options = {"HibernationOptions": {"Configured": True}} if hibernation else {}
        instance = self.aws("ec2").run_instances(
            ImageId=self.image, InstanceType="t3.medium", MinCount=1, MaxCount=1, **options
        )["Instances"][0]
        ws = Workstation(
            name=name,
            profile="lab",
            region="us-east-1",
            simulated=False,
            template="ubuntu-server",
            template_name="Ubuntu Server",
            instance_type="t3.medium",
            architecture="x86_64",
            instance_id=instance["InstanceId"],
            state=WorkstationState.RUNNING,
            hibernation=hibernation,
            idle_agent_minutes=5,
        )
        if policy is not None:
            self.policies.create(policy, replace=True)
            self.policies.apply(policy.name, "workstation", name)
        ws.idle = self.policies.resolve(ws)
        self.store.create(ws)
        return ws

    def agent(self, ws: Workstation, at: datetime, *, idle: bool) -> None:
        """What the workstation's agent publishes at one check: PutMetricData, its dimensions."""
        dimensions = [
            {"Name": "Workstation", "Value": ws.name},
            {"Name": "Project", "Value": "-"},
            {"Name": "Template", "Value": "ubuntu-server"},
        ]
        self.aws("cloudwatch").put_metric_data(
            Namespace="Prism/Workstations",
            MetricData=[
                {
                    "MetricName": "Idle",
                    "Dimensions": dimensions,
                    "Timestamp": at,
                    "Value": 1.0 if idle else 0.0,
                    "Unit": "Count",
                },
                {
                    "MetricName": "SSHSessions",
                    "Dimensions": dimensions,
                    "Timestamp": at,
                    "Value": 0.0 if idle else 1.0,
                    "Unit": "Count",
                },
            ],
        )

    def samples(self, ws: Workstation, start: datetime, minutes: range, *, idle: bool) -> None:
        for m in minutes:
            self.agent(ws, start + timedelta(minutes=m), idle=idle)

    def status(self, name: str) -> Any:
        [found] = self.enforcer.check([name])
        return found

    def ec2_state(self, ws: Workstation) -> str:
        reply = self.aws("ec2").describe_instances(InstanceIds=[ws.instance_id])
        return str(reply["Reservations"][0]["Instances"][0]["State"]["Name"])

    def notices(self) -> list[str]:
        path = self.folder / "notices.jsonl"
        if not path.exists():
            return []
        return [json.loads(line)["text"] for line in path.read_text().splitlines()]


@pytest.fixture
def world(aws: Any, tmp_path: Path) -> World:
    return World(aws, tmp_path, Clock())


QUICK = IdlePolicy(name="quick", idle_minutes=30, action=IdleAction.HIBERNATE, warn_minutes=5)


def test_an_idle_workstation_is_warned_then_hibernated_with_its_reason(world: World) -> None:
    start = world.clock.now()
    ws = world.launch("sleepy", hibernation=True, policy=QUICK)
    world.agent(ws, start, idle=False)
    world.samples(ws, start, range(5, 26, 5), idle=True)
    world.clock.minutes(26)
    early = world.status("sleepy")
    assert early.signal == "reporting"
    assert early.idle_since == start + timedelta(minutes=5)
    assert early.idle_minutes == 21.0
    assert early.warn_at == start + timedelta(minutes=30)
    assert early.action_at == start + timedelta(minutes=35)
    assert "warning at" in early.next
    assert world.notices() == []

    world.agent(ws, start + timedelta(minutes=30), idle=True)
    world.clock.minutes(5)  # 31 min after the start: past the warning time
    warned = world.status("sleepy")
    assert warned.warned_at == world.clock.now()
    assert warned.action_at == world.clock.now() + timedelta(minutes=5)  # the lead in full
    assert world.notices() == [
        f"sleepy has been idle 26 min: idle policy quick will hibernate it at"
        f" {warned.action_at:%H:%M} UTC unless it is used."
    ]
    assert world.ec2_state(ws) == "running"

    world.clock.minutes(4)
    assert world.status("sleepy").state == "running"  # the warning's five minutes are not up
    world.agent(ws, start + timedelta(minutes=35), idle=True)
    world.clock.minutes(1)
    acted = world.status("sleepy")
    assert acted.state == "hibernated"
    assert acted.last_action is not None
    assert acted.last_action.text == "hibernated by idle policy quick after 31 min idle"
    assert world.ec2_state(ws) in ("stopping", "stopped")
    record = world.store.require("sleepy")
    assert record.state_reason is not None and record.state_reason.by == "idle-policy"
    assert world.notices()[-1] == (
        "sleepy was hibernated by idle policy quick after 31 min idle."
        " Start it again with: prism start sleepy"
    )
    events = world.store.records.events(workstation="sleepy")
    assert [e.kind for e in events] == ["idle-action", "idle-warning"]


def test_hibernate_stops_a_workstation_that_cannot_hibernate(world: World) -> None:
    start = world.clock.now()
    no_warning = QUICK.model_copy(update={"name": "now", "warn_minutes": 0})
    ws = world.launch("plain", hibernation=False, policy=no_warning)
    world.samples(ws, start, range(0, 41, 5), idle=True)
    world.clock.minutes(41)
    acted = world.status("plain")
    assert acted.state == "stopping"
    assert acted.last_action is not None
    assert acted.last_action.text == (
        "stopped by idle policy now after 41 min idle (it cannot hibernate)"
    )
    assert world.ec2_state(ws) in ("stopping", "stopped")


def test_activity_pushes_the_deadline_back_and_cancels_the_warning(world: World) -> None:
    start = world.clock.now()
    ws = world.launch("busy", hibernation=True, policy=QUICK)
    world.samples(ws, start, range(0, 31, 5), idle=True)
    world.clock.minutes(31)
    assert world.status("busy").warned_at is not None
    world.agent(ws, start + timedelta(minutes=32), idle=False)  # someone logs in
    world.clock.minutes(3)
    bumped = world.status("busy")
    assert (bumped.idle_minutes, bumped.warned_at, bumped.action_at) == (0.0, None, None)
    assert bumped.last_activity == start + timedelta(minutes=32)
    assert bumped.next.startswith("active")
    world.samples(ws, start, range(37, 63, 5), idle=True)
    world.clock.minutes(40)  # 74 min after the start: idle since 37, so 37 min idle
    again = world.status("busy")
    assert again.idle_since == start + timedelta(minutes=37)
    assert again.state == "running"  # a new spell gets its own warning first
    assert again.warned_at == world.clock.now()
    assert world.ec2_state(ws) == "running"


def test_silence_is_never_taken_for_idleness(world: World) -> None:
    start = world.clock.now()
    ws = world.launch("quiet", hibernation=True, policy=QUICK)
    world.clock.minutes(2)
    first = world.status("quiet")
    assert (first.signal, first.next) == (
        "silent",
        "waiting for its agent's first sample (every 5 min)",
    )
    world.samples(ws, start, range(0, 11, 5), idle=True)
    world.clock.minutes(58)  # an hour of what looks like idleness, but the agent went silent
    stale = world.status("quiet")
    assert stale.signal == "silent"
    assert "does not act on silence" in stale.next
    assert world.ec2_state(ws) == "running"
    unwatched = world.launch("legacy", hibernation=True, policy=QUICK)
    world.store.save(unwatched.model_copy(update={"idle_agent_minutes": None}))
    assert world.status("legacy").signal == "no-agent"


def test_samples_from_before_a_restart_do_not_count(world: World) -> None:
    start = world.clock.now()
    ws = world.launch("restarted", hibernation=True, policy=QUICK)
    world.samples(ws, start, range(0, 61, 5), idle=True)
    world.clock.minutes(61)
    world.lifecycle.stop("restarted")
    world.clock.minutes(1)
    world.aws("ec2").start_instances(InstanceIds=[ws.instance_id])
    world.store.save(
        world.store.require("restarted").model_copy(update={"state": WorkstationState.RUNNING})
    )
    world.clock.minutes(1)
    status = world.status("restarted")
    assert status.signal == "silent"
    assert status.state == "running"


def test_the_most_specific_policy_applies(world: World) -> None:
    policies = world.policies
    ws = Workstation(
        name="w",
        profile="p",
        region="r",
        simulated=True,
        template="ubuntu-server",
        template_name="U",
        instance_type="t3.micro",
        architecture="x86_64",
        project="lab",
    )
    default = policies.resolve(ws)
    assert default is not None
    assert (default.name, default.source, default.idle_minutes) == ("default", "default", 60)
    assert (
        default.describe() == "stop (it cannot hibernate: launched without --hibernation)"
        " after 60 min idle, warning 5 min before"
    )
    for name in ("by-template", "by-project", "by-name"):
        policies.create(QUICK.model_copy(update={"name": name}))
    policies.apply("by-template", "template", "ubuntu-server")
    assert (policies.resolve(ws) or DEFAULT_POLICY).name == "by-template"
    policies.apply("by-project", "project", "lab")
    assert (policies.resolve(ws) or DEFAULT_POLICY).name == "by-project"
    policies.apply("by-name", "workstation", "w")
    resolved = policies.resolve(ws)
    assert resolved is not None and (resolved.name, resolved.source) == ("by-name", "workstation")
    policies.apply(NO_POLICY, "workstation", "w")
    assert policies.resolve(ws) is None
    with pytest.raises(ToolError) as in_use:
        policies.delete("by-project")
    assert in_use.value.code == "PRISM_IDLE_POLICY_IN_USE"
    with pytest.raises(ToolError) as builtin:
        policies.delete("default")
    assert builtin.value.code == "PRISM_IDLE_POLICY_BUILTIN"
