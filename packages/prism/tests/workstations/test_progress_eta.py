from __future__ import annotations

import asyncio

import pytest

from prism.workstations.progress import ProgressPlan
from prism.workstations.results import ProgressUpdate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


STAGES = [("validate", 1), ("network", 2), ("launch", 6), ("boot", 1)]
TRUE_SECONDS_PER_WEIGHT = 3.0


def test_eta_from_observed_rate_stays_within_bounds() -> None:
    clock = Clock()
    plan = ProgressPlan(STAGES, clock=clock)
    assert plan.snapshot().eta_seconds is None
    total = sum(w for _, w in STAGES) * TRUE_SECONDS_PER_WEIGHT
    spent = 0.0
    for name, weight in STAGES:
        plan.start(name)
        for step in range(1, 5):
            clock.advance(weight * TRUE_SECONDS_PER_WEIGHT / 4)
            spent += weight * TRUE_SECONDS_PER_WEIGHT / 4
            if step < 4:
                plan.update(name, step / 4)
                eta = plan.snapshot().eta_seconds
                assert eta is not None
                truth = total - spent
                assert abs(eta - truth) <= 0.25 * total, (name, step, eta, truth)
        plan.finish(name)
    final = plan.snapshot()
    assert final.finished
    assert final.fraction == 1.0
    assert final.eta_seconds == 0.0


def test_history_gives_an_eta_before_anything_finishes() -> None:
    clock = Clock()
    history = {"validate": 2.0, "network": 5.0, "launch": 20.0, "boot": 3.0}
    plan = ProgressPlan(STAGES, history=history, clock=clock)
    assert plan.snapshot().eta_seconds == pytest.approx(30.0)
    plan.start("validate")
    clock.advance(1.0)
    assert plan.snapshot().eta_seconds == pytest.approx(29.0)
    plan.finish("validate")
    assert plan.durations() == {"validate": 1.0}


def test_listeners_get_every_change_and_failures_are_reported() -> None:
    plan = ProgressPlan([("a", 1), ("b", 1)], clock=Clock())
    seen = []
    plan.add_listener(lambda snap: seen.append((snap.current, round(snap.fraction, 2))))
    with plan.stage("a"):
        plan.update("a", 0.5)
    with pytest.raises(RuntimeError), plan.stage("b"):
        raise RuntimeError("no capacity")
    assert seen[:3] == [("a", 0.0), ("a", 0.25), (None, 0.5)]
    snap = plan.snapshot()
    assert snap.failed
    assert snap.stages[1]["message"] == "no capacity"


async def test_stream_sends_every_change_and_ends_when_the_plan_finishes() -> None:
    plan = ProgressPlan([("a", 1), ("b", 3)], clock=Clock())

    async def work() -> None:
        for name in ("a", "b"):
            await asyncio.sleep(0)
            plan.start(name)
            plan.finish(name)

    task = asyncio.create_task(work())
    events = [snap async for snap in plan.stream()]
    await task
    updates = [ProgressUpdate.model_validate(snap.to_dict()) for snap in events]
    assert [(u.current, u.percent) for u in updates] == [
        (None, 0.0),
        ("a", 0.0),
        (None, 25.0),
        ("b", 25.0),
        (None, 100.0),
    ]
    assert updates[-1].finished
