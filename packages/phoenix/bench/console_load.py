"""The web console's first load in Debian's headless Chromium: the JavaScript it ships and the
time until each view shows its data, beside the alternative of asking the CLI for the same data
(`phoenix pipeline status -o json`, `phoenix pipeline list`), and beside peragus's UI bundle.

Targets (issue 18): at most 300 KB of JavaScript and 300 ms for the first load. Each view is
loaded cold (a new browser context: no cache) seven times; the medians are printed.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from groundwork.bench import print_figure, time_command
from groundwork.service import login_path, running_service
from phoenix.deployments import deploy
from phoenix.server.api import server_app, server_config
from phoenix.server.pages import STATIC
from phoenix.store import open_store

RUNS = 7
VIEWS = {
    "deployments": ("/", "tr[data-host='this host'] td.reduction"),
    "catalog": ("/catalog", "table.catalog tbody tr"),
    "catalog page (YAML beside the collector config)": (
        "/catalog/process-topk-v1",
        "[aria-label='Collector config'] .y-key",
    ),
}
PERAGUS_ASSETS = Path(__file__).parents[2] / "peragus" / "src" / "peragus" / "server" / "static"


def _javascript_kb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*.js")) / 1024


def main() -> None:
    if not (STATIC / "index.html").is_file():
        sys.exit("the console is not built: make ui")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["PHOENIX_HOME"] = tmp
        deploy(open_store(home), "process-topk-v1", {}, "bench")
        config = server_config(home, "127.0.0.1", 0)
        app = server_app(home, config)
        with running_service(app, config) as info, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            shipped = 0.0
            for view, (path, ready) in VIEWS.items():
                times = []
                for _ in range(RUNS):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(f"{info.url}{login_path(app)}&next={path}")
                    page.wait_for_selector(ready)
                    # From the navigation's start to the view showing its data.
                    times.append(page.evaluate("performance.now()"))
                    shipped = page.evaluate(
                        "performance.getEntriesByType('resource')"
                        ".filter(e => e.name.endsWith('.js'))"
                        ".reduce((n, e) => n + e.decodedBodySize, 0)"
                    )
                    context.close()
                print_figure(
                    f"console first load: {view}",
                    statistics.median(times),
                    "ms",
                    target="<= 300 ms",
                )
            browser.close()
        print_figure("  JavaScript of the first load", shipped / 1024, "KB", target="<= 300 KB")
        print_figure("  JavaScript in the console's build", _javascript_kb(STATIC), "KB")
        if PERAGUS_ASSETS.is_dir():
            print_figure("  beside: peragus's UI build", _javascript_kb(PERAGUS_ASSETS), "KB")
        env = {**os.environ, "PHOENIX_HOME": tmp}
        for args in (["pipeline", "status", "-o", "json"], ["pipeline", "list"]):
            timing = time_command([sys.executable, "-m", "phoenix", *args], env=env, runs=7)
            print_figure(f"  beside: phoenix {' '.join(args)}", timing.wall.median_ms, "ms")


if __name__ == "__main__":
    main()
