"""The editor's language features, timed: diagnostics after a keystroke and the completion list,
in a TypeScript notebook of 20 cells that import one another.

In Chromium (what a user waits for): keystroke to the lint marker appearing or going, and `.`
to the completion list, measured in the page (keydown to the DOM change). Over the WebSocket
(what the server adds): cell:update to tsserver:cell:diagnostics, and a completions request to
its response. Targets: diagnostics p95 <= 300 ms, completion p95 <= 150 ms.

`--with-srcbook` sends srcbook (npm, 0.0.18) the same WebSocket messages.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from websockets.sync.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).parent))

from server_latency import p95, start_server

from groundwork.bench import print_figure

CELLS = 20
ROUNDS = 40
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
LAST = f"c{CELLS - 1:02}.ts"
CLEAN = (
    f"import {{ v{CELLS - 2} }} from './c{CELLS - 2:02}.ts';\n"
    f"const x = v{CELLS - 2}(1);\nconsole.log(x);\nx"
)


def notebook() -> str:
    cells = ["export const v0 = (n: number): number => n;"]
    for n in range(1, CELLS - 1):
        cells.append(
            f"import {{ v{n - 1} }} from './c{n - 1:02}.ts';\n"
            f"export const v{n} = (n: number): number => v{n - 1}(n) + {n};"
        )
    cells.append(CLEAN)
    body = "\n\n".join(
        f"###### c{n:02}.ts\n\n```typescript\n{source}\n```" for n, source in enumerate(cells)
    )
    # srcbook's tsserver is the typescript in the notebook's node_modules; peragus uses its own.
    package = '{"type": "module", "dependencies": {"typescript": "5.9.3"}}'
    return (
        '<!-- srcbook:{"language":"typescript"} -->\n\n# Editor bench\n\n'
        f"###### package.json\n\n```json\n{package}\n```\n\n{body}\n"
    )


def receive(ws: ClientConnection, event: str, where: Any = lambda p: True) -> dict[str, Any]:
    while True:
        _, got, payload = json.loads(ws.recv(timeout=120))
        if got == event and where(payload):
            result: dict[str, Any] = payload
            return result


def drain(ws: ClientConnection, quiet: float = 0.3) -> None:
    """Reads until the server has been silent for ``quiet`` seconds: a reply to the last round
    must not be taken for one to the next."""
    while True:
        try:
            ws.recv(timeout=quiet)
        except TimeoutError:
            return


def websocket_figures(
    ws: ClientConnection, topic: str, cell_id: str, requests: str
) -> tuple[list[float], list[float]]:
    """cell:update to the cell's diagnostics (error and back), and completion round trips."""
    diagnostics = []
    for n in range(ROUNDS):
        broken = n % 2 == 0
        source = CLEAN + ("y" if broken else "")
        drain(ws)
        started = time.perf_counter()
        ws.send(
            json.dumps([topic, "cell:update", {"cellId": cell_id, "updates": {"source": source}}])
        )
        receive(
            ws,
            "tsserver:cell:diagnostics",
            lambda p, broken=broken: p["cellId"] == cell_id and bool(p["diagnostics"]) == broken,
        )
        diagnostics.append((time.perf_counter() - started) * 1000)
    with_dot = CLEAN.replace("\nx", "\nconsole.")
    ws.send(
        json.dumps([topic, "cell:update", {"cellId": cell_id, "updates": {"source": with_dot}}])
    )
    # The server has the new text once it sends the cell's diagnostics again (srcbook sends
    # only semantic ones, so not the syntax error itself).
    receive(ws, "tsserver:cell:diagnostics", lambda p: p["cellId"] == cell_id)
    completions = []
    for n in range(ROUNDS):
        drain(ws, 0.1)
        started = time.perf_counter()
        location = {"line": 4, "offset": 9}
        ws.send(
            json.dumps(
                [
                    topic,
                    requests,
                    {"cellId": cell_id, "requestId": str(n), "request": {"location": location}},
                ]
            )
        )
        reply = receive(ws, "tsserver:cell:completions:response")
        entries = reply["response"]["entries"] if reply.get("response") else []
        if not any(e["name"] == "log" for e in entries):
            names = [e["name"] for e in entries][:10]
            raise RuntimeError(f"no console.log in the completions, which begin {names}")
        completions.append((time.perf_counter() - started) * 1000)
    ws.send(json.dumps([topic, "cell:update", {"cellId": cell_id, "updates": {"source": CLEAN}}]))
    receive(
        ws, "tsserver:cell:diagnostics", lambda p: p["cellId"] == cell_id and not p["diagnostics"]
    )
    return diagnostics, completions


MEASURE = """(selector) => {
  window.__observer?.disconnect();
  window.__marks = [];
  window.__state = () => !!document.querySelector(selector);
  window.__last = window.__state();
  if (!window.__listening) {
    document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
    window.__listening = true;
  }
  window.__observer = new MutationObserver(() => {
    const now = window.__state();
    if (now === window.__last) return;
    window.__last = now;
    window.__marks.push(performance.now() - window.__t0);
  });
  window.__observer.observe(document.body, { subtree: true, childList: true, attributes: true });
}"""


def press(page: Page, key: str) -> float:
    before = page.evaluate("window.__marks.length")
    page.keyboard.press(key)
    try:
        page.wait_for_function(f"window.__marks.length > {before}", timeout=30_000)
    except PlaywrightTimeout as exc:
        raise RuntimeError(f"nothing changed on screen 30 s after pressing {key}") from exc
    marks: list[float] = page.evaluate("window.__marks")
    return marks[before]


def browser_figures(url: str, login: str, name: str) -> tuple[list[float], list[float]]:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed: apt install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        # The measuring script is the bench's, not the page's: the page's CSP would refuse it.
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(url + login)
        page.goto(f"{url}/notebooks/{name}")
        page.locator("main[data-tsserver=ready]").wait_for(timeout=120_000)
        editor = page.locator(f"section.code[data-cell='{LAST}'] .cm-content")
        editor.click()
        page.keyboard.press("Control+End")
        time.sleep(1)
        page.evaluate(MEASURE, f"section.code[data-cell='{LAST}'] .cm-lintRange-error")
        diagnostics = [press(page, "y" if n % 2 == 0 else "Backspace") for n in range(ROUNDS)]
        page.keyboard.press("Backspace")  # "console." on the last line
        page.keyboard.type("console")
        time.sleep(1)
        page.keyboard.press("Escape")  # typing "console" opened a list of names
        page.evaluate(MEASURE, ".cm-tooltip-autocomplete")
        completions = []
        for _ in range(ROUNDS):
            completions.append(press(page, "."))
            press(page, "Backspace")  # the list closes
        browser.close()
    return diagnostics, completions


def report(who: str, diagnostics: list[float], completions: list[float]) -> None:
    print_figure(f"{who}: diagnostics, median", statistics.median(diagnostics), "ms")
    print_figure(f"{who}: diagnostics, p95", p95(diagnostics), "ms", target="<= 300")
    print_figure(f"{who}: completion list, median", statistics.median(completions), "ms")
    print_figure(f"{who}: completion list, p95", p95(completions), "ms", target="<= 150")


def peragus() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, url, token = start_server(Path(tmp))
        headers = {"authorization": f"Bearer {token}"}
        try:
            http = httpx.Client(base_url=url, headers=headers, timeout=60)
            name = http.post("/api/notebooks/import", json={"text": notebook()}).json()["notebook"][
                "name"
            ]
            session = http.post("/api/sessions", json={"name": name}).json()["session"]
            cell_id = next(c["id"] for c in session["cells"] if c.get("filename") == LAST)
            topic = f"session:{name}"
            with connect(
                url.replace("http", "ws") + "/websocket", additional_headers=headers
            ) as ws:
                ws.send(json.dumps([topic, "subscribe", {}]))
                ws.send(json.dumps([topic, "tsserver:start", {}]))
                started = time.perf_counter()
                receive(ws, "tsserver:status", lambda p: p["status"] == "ready")
                print_figure(
                    "peragus: tsserver start (typescript installed once)",
                    (time.perf_counter() - started) * 1000,
                    "ms",
                )
                receive(ws, "tsserver:cell:diagnostics", lambda p: p["cellId"] == cell_id)
                figures = websocket_figures(ws, topic, cell_id, "tsserver:cell:completions:request")
            report("peragus over the WebSocket", *figures)
            login = http.post("/login/ticket").json()["path"]
            report("peragus in Chromium, keystroke to screen", *browser_figures(url, login, name))
        finally:
            process.terminate()
            process.wait(timeout=15)


def srcbook() -> None:
    import srcbook as original

    with original.running() as server:
        session = server.import_text(notebook())
        topic = f"session:{session['id']}"
        cells: list[dict[str, str]] = session["cells"]  # type: ignore[assignment]
        cell_id = next(c["id"] for c in cells if c.get("filename") == LAST)
        with server.websocket() as ws:
            ws.send(json.dumps([topic, "subscribe", {"id": "bench"}]))
            ws.send(json.dumps([topic, "deps:install", {}]))
            receive(
                ws,
                "cell:updated",
                lambda p: (
                    p["cell"].get("type") == "package.json"
                    and p["cell"].get("status") in ("idle", "failed")
                ),
            )
            ws.send(json.dumps([topic, "tsserver:start", {}]))
            receive(ws, "tsserver:cell:diagnostics", lambda p: p["cellId"] == cell_id)
            report(
                "srcbook over the WebSocket",
                *websocket_figures(ws, topic, cell_id, "tsserver:cell:completions:request"),
            )


def main() -> None:
    peragus()
    if "--with-srcbook" in sys.argv:
        srcbook()


if __name__ == "__main__":
    main()
