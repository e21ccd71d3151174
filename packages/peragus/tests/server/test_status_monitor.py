"""The status page's figures over time, with the monitor's clock injected: CPU percent never more
than every core can give, however close together two readings come or however much CPU the
server spent starting up before the monitor began.
"""

from __future__ import annotations

import os
import time

from peragus.observability.status import Monitor
from peragus.settings.store import AlertSettings


def test_server_cpu_counts_from_the_monitor_start_and_never_passes_every_core() -> None:
    now = [time.time()]
    monitor = Monitor(lambda: [], lambda: [], AlertSettings, "test", clock=lambda: now[0])
    readings = []
    # The sampler, then a page's poll a few milliseconds later, then the next sample.
    for step in (0.004, 0.003, 5.0, 0.002, 5.0):
        now[0] += step
        readings.append(monitor.sample().cpu_percent)
        readings.append(monitor.view().resources.cpu_percent)
    # This test process spent seconds of CPU importing before the monitor began: none of it
    # may show up as a burst divided by a few milliseconds.
    assert max(readings) <= 100 * (os.cpu_count() or 1), readings
