"""The NRDOT-style chain (priority tags, adaptive top-k, a sample of the tail, the rest rolled
up) on the high-cardinality load of real simulated processes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from phoenix.collector.model import ROLLUP_PID
from phoenix.collector.scrape import Scraper
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec
from phoenix.pipelines import catalog
from phoenix.pipelines.engine import Engine

NRDOT = "process-nrdot-chain-v1"


@pytest.fixture(scope="module")
def high_cardinality(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadSim]:
    sim = LoadSim(tmp_path_factory.mktemp("loadsim"))
    sim.start(load_spec(ProfileName.HIGH_CARDINALITY))
    try:
        yield sim
    finally:
        sim.stop()


def test_the_chain_cuts_the_high_cardinality_load_by_90_percent_and_keeps_critical(
    high_cardinality: LoadSim,
) -> None:
    scraper = Scraper()
    scraper.scrape()
    time.sleep(0.5)
    batch = scraper.scrape()
    simulated = {p.pid for p in high_cardinality.children()}
    assert len(simulated & set(batch.pid)) >= 380

    result = Engine(catalog.get(NRDOT)).run(batch)

    assert result.reduction_percent >= 90, result.summary()
    assert result.critical_in_input >= 2  # the profile's nginx and postgres
    assert result.critical_retention_percent == 100.0
    out = result.output
    sampled = [i for i, rate in enumerate(out.sample_rate) if rate > 1]
    assert len(sampled) == 10, "the reservoir keeps a sample of 10 of the tail"
    assert all(out.pid[i] != ROLLUP_PID for i in sampled)
    [other] = [i for i, name in enumerate(out.name) if name == "_other_"]
    # Every process is in the output once: kept, sampled, or summed into _other_.
    assert len(out) - 1 + out.members[other] == len(batch)
    assert sum(out.threads) == sum(batch.threads)


def test_the_tail_sample_is_the_same_processes_from_one_scrape_to_the_next(
    high_cardinality: LoadSim, tmp_path: Path
) -> None:
    engine = Engine(catalog.get(NRDOT))
    scraper = Scraper()
    scraper.scrape()
    picks = []
    for _ in range(2):
        time.sleep(0.3)
        out = engine.run(scraper.scrape()).output
        picks.append({out.pid[i] for i, rate in enumerate(out.sample_rate) if rate > 1})
    assert len(picks[0] & picks[1]) >= 8
