"""The dashboard's first load in Debian's headless Chromium: the JavaScript it ships (raw and
gzip) and the time until each view shows its data, beside the alternative of asking the CLI
for the same list (`prism list`, `prism list -o json`) and beside phoenix's console build, all
in the same run.

Targets (issue 22): at most 300 KB of JavaScript and 300 ms for the first load. prismd runs as a
user starts it (`prism dashboard --no-open` starts it, on the sandbox) with one workstation
launched; the printed login URL is opened first, then each view is loaded cold (a new browser
context: an empty cache, the session cookie only) seven times and the medians printed, with
where the time went: the page, its JavaScript, and the API replies it shows.

The time is taken in the page (a MutationObserver notes the moment the view's data is in the
document, then the next frame), not by polling from Playwright.
"""

from __future__ import annotations

import gzip
import json
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
from prism.daemon.dashboard_pages import STATIC

RUNS = 7
VIEWS = {
    "workstations": ("/dashboard/", "tr[data-testid='ws-demo'] td.n"),
    "launch form (templates with parameters)": ("/dashboard/launch", "#launch-template option"),
    "costs (spend, budgets)": ("/dashboard/costs", "[data-testid='spend-total']"),
}
PHOENIX_ASSETS = Path(__file__).parents[2] / "phoenix" / "src" / "phoenix" / "server" / "static"

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

_PHASES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const js = resources.filter(e => e.name.endsWith('.js'));
  const api = resources.filter(e => e.name.includes('/api/') && !e.name.includes('/events'));
  return {
    html: nav.responseEnd,
    javascript: Math.max(...js.map(e => e.responseEnd)),
    api: api.length ? Math.max(...api.map(e => e.responseEnd)) : 0,
    api_requests: api.length,
    js_bytes: js.reduce((n, e) => n + e.decodedBodySize, 0),
  };
}"""


def _javascript(folder: Path) -> tuple[float, float]:
    """KB of JavaScript in a build, raw and gzip-compressed."""
    files = [p.read_bytes() for p in folder.rglob("*.js")]
    return sum(map(len, files)) / 1024, sum(len(gzip.compress(b, 9)) for b in files) / 1024


def _load(browser: Browser, url: str, ready: str, state: Any = None) -> tuple[dict[str, Any], Any]:
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    page.add_init_script(_WATCH % ready)
    page.goto(url)
    deadline = time.monotonic() + 60
    while page.evaluate("window.__shown") is None:
        if time.monotonic() > deadline:
            sys.exit(f"{url} never showed {ready}")
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
        f" API answered {median('api'):.0f} ms, data in the page {median('inDocument'):.0f} ms"
        f" ({max(load['api_requests'] for load in loads)} API requests)"
    )


def _prism(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "prism", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"prism {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


def main() -> None:
    if not (STATIC / "index.html").is_file():
        sys.exit("the dashboard is not built: make ui")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PRISM_STATE_DIR": tmp, "PRISM_DAEMON_PORT": "0"}
        try:
            _prism(env, "launch", "ubuntu-server", "demo", "-o", "json")
            link = json.loads(_prism(env, "dashboard", "--no-open", "-o", "json"))
            login_url = link["dashboard"]["url"]
            base = login_url.split("/login", 1)[0]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
                )
                browser.new_page().close()  # a browser already running, as a user's is
                first, cookies = _load(browser, login_url, VIEWS["workstations"][1])
                _print_load("dashboard first load: the printed URL", [first])
                shipped = first["js_bytes"]
                for view, (path, ready) in VIEWS.items():
                    loads = [_load(browser, base + path, ready, cookies)[0] for _ in range(RUNS)]
                    _print_load(f"dashboard first load: {view}", loads)
                browser.close()
            print_figure("  JavaScript of the first load", shipped / 1024, "KB", target="<= 300 KB")
            raw, packed = _javascript(STATIC)
            print_figure("  JavaScript in the dashboard's build", raw, "KB")
            print_figure("  the same, gzip-compressed", packed, "KB")
            if PHOENIX_ASSETS.is_dir():
                raw, packed = _javascript(PHOENIX_ASSETS)
                print_figure("  beside: phoenix's console build", raw, "KB")
                print_figure("  beside: phoenix's console build, gzip", packed, "KB")
            for args in (["list"], ["list", "-o", "json"]):
                timing = time_command([sys.executable, "-m", "prism", *args], env=env, runs=7)
                print_figure(f"  beside: prism {' '.join(args)}", timing.wall.median_ms, "ms")
        finally:
            subprocess.run(
                [sys.executable, "-m", "prism", "daemon", "stop", "--sandbox"],
                env=env,
                capture_output=True,
            )
        print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
