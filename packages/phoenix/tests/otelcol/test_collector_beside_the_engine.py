"""Each catalog pipeline on the real collector beside phoenix's agent, on this host's processes
(the high-cardinality load plus processes named like the critical list), counted by a real
Prometheus, through the `phoenix pipeline verify` a user runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec
from phoenix.pipelines import catalog

# Two observers of one host's processes must see the same processes in the same seconds; beside
# the parallel run's other work their scrapes drift apart, so `make test` runs this file alone.
pytestmark = pytest.mark.quiet_host

CRITICAL = ["java", "redis-server", "kafka", "envoy", "postgres: writer"]


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The load, for every pipeline of this file: 388 simulated processes and critical ones."""
    home = tmp_path_factory.mktemp("home")
    sim = LoadSim(home, logs=home / "logs")
    sim.start(load_spec(ProfileName.HIGH_CARDINALITY))
    sleep = shutil.which("sleep") or "/bin/sleep"
    started = []
    for i, name in enumerate(CRITICAL):
        folder = home / f"critical-{i}"
        folder.mkdir()
        (folder / name).symlink_to(sleep)
        started.append(subprocess.Popen([str(folder / name), "600"]))
    for process, name in zip(started, CRITICAL, strict=True):
        deadline = time.monotonic() + 10
        while psutil.Process(process.pid).name() != name:
            assert time.monotonic() < deadline, f"{name} never started"
            time.sleep(0.01)
    try:
        yield home
    finally:
        for process in started:
            process.kill()
            process.wait()
        sim.stop()


@pytest.mark.parametrize("name", catalog.names())
def test_the_collector_keeps_what_the_engine_keeps(
    host: Path, otelcol: Path, system_tool: Any, name: str
) -> None:
    system_tool("prometheus", package="prometheus")
    done = subprocess.run(
        [sys.executable, "-m", "phoenix", "pipeline", "verify", name, "-o", "json"],
        env={**os.environ, "PHOENIX_HOME": str(host), "PHOENIX_OTELCOL": str(otelcol)},
        capture_output=True,
        text=True,
        timeout=150,
    )
    verification = json.loads(done.stdout)["verification"]
    summary = {k: verification[k] for k in ("engine", "collector", "only_engine", "only_collector")}
    assert done.returncode == 0, summary
    # Every simulated critical process and every one started here, kept by the collector.
    assert verification["critical_on_host"] >= 4 + len(CRITICAL)
    assert verification["critical_missing"] == []
    assert verification["collector"]["critical_kept"] == verification["critical_on_host"]
    engine = verification["engine"]["compared_series"]
    collector = verification["collector"]["compared_series"]
    assert abs(collector - engine) <= verification["tolerance_series"], summary
    pipeline = catalog.get(name)
    assert verification["tolerance_percent"] == pipeline.collector_tolerance_percent
    if verification["fidelity"] == "exact":
        assert pipeline.collector_tolerance_percent == 10
    simulated = 9 * load_spec(ProfileName.HIGH_CARDINALITY).process_count
    if name == "process-baseline-v1":
        assert collector >= simulated, "the baseline keeps every process"
    else:
        assert collector < simulated / 2, "the pipeline cuts the load by more than half"
