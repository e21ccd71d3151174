"""Page load: navigation to an interactive notebook page in headless Chromium, and JS shipped.

Interactive means the code cell's CodeMirror editor is on the page and the WebSocket is connected
(the page says "connected"). Targets: <= 300 ms and <= 600 KB of JavaScript. `--with-srcbook`
measures the npm package srcbook's notebook page the same way (its code editor on the page).
"""

from __future__ import annotations

import gzip
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, Response, sync_playwright

from groundwork.bench import print_figure

sys.path.insert(0, str(Path(__file__).parent))
from server_latency import SRCBOOK_NOTEBOOK, start_server

LOADS = 15
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def load_times(page: Page, url: str, ready: str) -> list[float]:
    """Milliseconds from navigation until ``ready`` is visible, after one load to warm caches."""
    timings = []
    for n in range(LOADS + 1):
        started = time.perf_counter()
        page.goto(url)
        page.locator(ready).first.wait_for()
        if n:
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def script_bytes(page: Page) -> dict[str, bytes]:
    scripts: dict[str, bytes] = {}

    def record(response: Response) -> None:
        if response.request.resource_type == "script" and response.status == 200:
            scripts[response.url] = response.body()

    page.on("response", record)
    return scripts


def report(who: str, timings: list[float], scripts: dict[str, bytes]) -> None:
    shipped = sum(len(body) for body in scripts.values())
    compressed = sum(len(gzip.compress(body)) for body in scripts.values())
    median = statistics.median(timings)
    print_figure(f"{who}: navigation to interactive notebook, median", median, "ms")
    print_figure(f"{who}: JavaScript shipped", shipped / 1024, "KB")
    print_figure(f"{who}: JavaScript shipped, gzip", compressed / 1024, "KB")


def peragus(browser: Browser) -> tuple[list[float], dict[str, bytes]]:
    with tempfile.TemporaryDirectory() as tmp:
        process, url, token = start_server(Path(tmp))
        try:
            http = httpx.Client(base_url=url, headers={"authorization": f"Bearer {token}"})
            name = http.post("/api/notebooks", json={"title": "Page load"}).json()["notebook"][
                "name"
            ]
            page = browser.new_context().new_page()
            page.goto(url + http.post("/login/ticket").json()["path"])  # sets the cookie
            scripts = script_bytes(page)
            # Interactive: the code editor is there and the WebSocket is connected.
            ready = "section.code .cm-content >> xpath=//ancestor::main//span[text()='connected']"
            timings = load_times(page, f"{url}/notebooks/{name}", ready)
            page.context.close()
            return timings, scripts
        finally:
            process.terminate()
            process.wait(timeout=15)


def srcbook_figures(browser: Browser) -> tuple[list[float], dict[str, bytes]]:
    import srcbook

    with srcbook.running() as server:
        session = server.import_text(SRCBOOK_NOTEBOOK)
        page = browser.new_context().new_page()
        scripts = script_bytes(page)
        timings = load_times(page, f"{server.url}/srcbooks/{session['id']}", ".cm-content")
        page.context.close()
        return timings, scripts


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        ours = peragus(browser)
        theirs = srcbook_figures(browser) if "--with-srcbook" in sys.argv else None
        browser.close()
    report("peragus", *ours)
    print("  targets: <= 300 ms, <= 600 KB")
    if theirs is not None:
        report("srcbook", *theirs)


if __name__ == "__main__":
    main()
