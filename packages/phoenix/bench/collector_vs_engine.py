"""Each catalog pipeline on phoenix-otelcol beside phoenix's agent, on the same load: the two
series counts (counted by a real Prometheus), and each one's CPU and RSS.

The load is the high-cardinality profile (388 simulated processes: 16 services x 4
environments x 6 regions, plus nginx and postgres) and this host's own processes. The run also
regenerates the catalog's expected reductions: each pipeline's `expected_reduction` becomes the
range between the engine's and the collector's measured reduction against the baseline, and
`catalog/measurements.json` keeps the figures (`pipeline list` shows them), so the catalog says
what was measured here, not what a brochure promised.

Needs phoenix-otelcol (make collector) and Prometheus (apt-get install prometheus).
"""

from __future__ import annotations

import json
import os
import platform
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from groundwork.bench import print_figure
from phoenix.loadsim.control import LoadSim
from phoenix.loadsim.profiles import ProfileName, load_spec
from phoenix.otelcol.results import Verification
from phoenix.otelcol.verify import verify
from phoenix.pipelines import catalog

INTERVAL = 5.0
SCRAPES = 5
CATALOG = Path(catalog.__file__).with_name("catalog")


def main() -> None:
    figures: dict[str, Verification] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["PHOENIX_HOME"] = str(home)
        sim = LoadSim(home, logs=home / "logs")
        sim.start(load_spec(ProfileName.HIGH_CARDINALITY))
        try:
            for name in catalog.names():
                v = verify(name, {}, interval=INTERVAL, scrapes=SCRAPES)
                figures[name] = v
                print(f"\n{name} (collector {v.fidelity}, {INTERVAL:g} s interval)")
                print_figure("  series, engine", v.engine.compared_series, "")
                print_figure(
                    "  series, collector",
                    v.collector.compared_series,
                    f" ({v.difference_percent:+.1f}%)",
                    target=f"within {v.tolerance_series} series",
                )
                print_figure(
                    "  critical kept by the collector",
                    v.collector.critical_kept,
                    f" of {v.critical_on_host}",
                )
                print_figure("  CPU, engine (phoenix agent)", v.engine.cpu_percent, "% of a core")
                print_figure("  CPU, collector", v.collector.cpu_percent, "% of a core")
                print_figure("  RSS, engine", v.engine.rss_mb, "MB")
                print_figure("  RSS, collector", v.collector.rss_mb, "MB")
        finally:
            sim.stop()
    write_catalog(figures)


def write_catalog(figures: dict[str, Verification]) -> None:
    baseline = figures["process-baseline-v1"]
    engine_in, collector_in = baseline.engine.compared_series, baseline.collector.compared_series
    measured = {}
    for name, v in figures.items():
        engine = round(100 * (1 - v.engine.compared_series / engine_in), 1)
        collector = round(100 * (1 - v.collector.compared_series / collector_in), 1)
        measured[name] = {
            "fidelity": v.fidelity,
            "engine_series": v.engine.compared_series,
            "collector_series": v.collector.compared_series,
            "engine_reduction_percent": engine,
            "collector_reduction_percent": collector,
            "collector_difference_percent": v.difference_percent,
            "engine_cpu_percent": v.engine.cpu_percent,
            "collector_cpu_percent": v.collector.cpu_percent,
            "engine_rss_mb": v.engine.rss_mb,
            "collector_rss_mb": v.collector.rss_mb,
        }
        low, high = sorted((max(0.0, engine), max(0.0, collector)))
        path = CATALOG / f"{name}.yaml"
        text = path.read_text()
        text = re.sub(
            r"expected_reduction: \{min: [\d.]+, max: [\d.]+\}",
            f"expected_reduction: {{min: {low:g}, max: {high:g}}}",
            text,
        )
        path.write_text(text)
    (CATALOG / "measurements.json").write_text(
        json.dumps(
            {
                "measured_by": "bench/collector_vs_engine.py",
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{os.cpu_count()} cores, {platform.machine()}",
                "load": "high-cardinality (388 simulated processes) and the host's own",
                "interval_seconds": INTERVAL,
                "pipelines": measured,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote the measured reductions into {CATALOG}")


if __name__ == "__main__":
    main()
