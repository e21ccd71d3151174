"""How fast the load simulator brings up 300 processes, and how light they are.

Targets: 300 processes up within 5 s on an idle machine; a simulated process of a few MB unless
its profile asks for memory (each was a Python interpreter of about 24 MB before).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from groundwork.bench import print_figure
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sim = LoadSim(Path(tmp), logs=Path(tmp))
        started = time.monotonic()
        result = sim.start(load_spec(ProfileName.HIGH_CARDINALITY, process_count=300))
        took = time.monotonic() - started
        try:
            children = sim.children()
            busy = [p.memory_info().rss for p in children if p.name() not in ("nginx", "postgres")]
        finally:
            ended = sim.stop().processes_ended
    print_figure(f"{result.simulation.processes} processes up", took, "s", target="<= 5 s")
    print_figure(
        "  largest busy simulated process, RSS", max(busy) / 2**20, "MB", target="a few MB"
    )
    print_figure("  ended by stop", ended, "processes")


if __name__ == "__main__":
    main()
