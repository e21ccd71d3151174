"""The web console's first load in Debian's headless Chromium: the JavaScript it ships and the
time until each view shows its data, beside the alternative of asking the CLI for the same data
(`phoenix pipeline status -o json`, `phoenix pipeline list`), and beside peragus's UI bundle.

Targets (issue 18): at most 300 KB of JavaScript and 300 ms for the first load. `phoenix server`
runs as a user starts it (its own process); its printed login URL is opened first, on the server
that has answered nothing yet (the very first load a user sees). Then each view is loaded cold
(a new browser context: an empty cache, the session cookie only) seven times; the medians are
printed, with where the time went: the page, its JavaScript, and the API reply it shows.

The time is taken in the page (a MutationObserver notes the moment the view's data is in the
document, then the next frame), not by polling it from Playwright, whose round trips would add
their own delay.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from groundwork.bench import print_figure, time_command
from phoenix.deployments import deploy
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

# Notes when the view's data first is in the document, and when the next frame is painted.
_WATCH = """
window.__shown = null;
new MutationObserver((_, observer) => {
  if (!document.querySelector(%r)) return;
  observer.disconnect();
  const inDocument = performance.now();
  requestAnimationFrame(() => setTimeout(() => {
    window.__shown = { inDocument, painted: performance.now() };
  }));
}).observe(document, { childList: true, subtree: true });
"""

# Where the time went: the page's HTML (after the login redirect, if any), its JavaScript, and
# the API reply the view shows; and how much JavaScript it fetched.
_PHASES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const js = resources.filter(e => e.name.endsWith('.js'));
  const api = resources.filter(e => e.name.includes('/api/'));
  return {
    html: nav.responseEnd,
    javascript: Math.max(...js.map(e => e.responseEnd)),
    api: api.length ? Math.max(...api.map(e => e.responseEnd)) : 0,
    api_requests: api.length,
    api_start: api.length ? Math.min(...api.map(e => e.startTime)) : 0,
    js_bytes: js.reduce((n, e) => n + e.decodedBodySize, 0),
  };
}"""


def _javascript_kb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*.js")) / 1024


def _load(browser: Browser, url: str, ready: str, state: Any = None) -> tuple[dict[str, Any], Any]:
    """One cold load of a view: its figures, and the context's cookies for the next loads."""
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    page.add_init_script(_WATCH % ready)
    page.goto(url)
    while page.evaluate("window.__shown") is None:  # the page's CSP forbids wait_for_function
        time.sleep(0.01)
    figures: dict[str, Any] = {**page.evaluate("window.__shown"), **page.evaluate(_PHASES)}
    cookies = context.storage_state()
    context.close()
    return figures, cookies


def _print_load(label: str, loads: list[dict[str, Any]]) -> None:
    def median(key: str) -> float:
        return float(statistics.median(load[key] for load in loads))

    print_figure(label, median("painted"), "ms", target="<= 300 ms")
    print(
        f"    page {median('html'):.0f} ms, JavaScript {median('javascript'):.0f} ms,"
        f" API asked {median('api_start'):.0f} ms, answered {median('api'):.0f} ms,"
        f" data in the page {median('inDocument'):.0f} ms"
        f" ({max(load['api_requests'] for load in loads)} API request)"
    )


def main() -> None:
    if not (STATIC / "index.html").is_file():
        sys.exit("the console is not built: make ui")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PHOENIX_HOME": tmp}
        deploy(open_store(Path(tmp)), "process-topk-v1", {}, "bench")
        server = subprocess.Popen(
            [sys.executable, "-m", "phoenix", "server", "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert server.stdout is not None
            login_url = server.stdout.readline().strip()
            base = login_url.split("/login", 1)[0]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
                )
                # A browser already running, as a user's is: its first page costs it alone.
                browser.new_page().close()
                first, cookies = _load(browser, login_url, VIEWS["deployments"][1])
                _print_load("console first load: the printed URL, server's first answer", [first])
                shipped = first["js_bytes"]
                for view, (path, ready) in VIEWS.items():
                    loads = [_load(browser, base + path, ready, cookies)[0] for _ in range(RUNS)]
                    _print_load(f"console first load: {view}", loads)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        print_figure("  JavaScript of the first load", shipped / 1024, "KB", target="<= 300 KB")
        print_figure("  JavaScript in the console's build", _javascript_kb(STATIC), "KB")
        if PERAGUS_ASSETS.is_dir():
            print_figure("  beside: peragus's UI build", _javascript_kb(PERAGUS_ASSETS), "KB")
        for args in (["pipeline", "status", "-o", "json"], ["pipeline", "list"]):
            timing = time_command([sys.executable, "-m", "phoenix", *args], env=env, runs=7)
            print_figure(f"  beside: phoenix {' '.join(args)}", timing.wall.median_ms, "ms")
        print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
