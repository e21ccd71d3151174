"""Cell latency through the server, and whether it stays flat under use.

`peragus start` runs as its own process; a WebSocket client sends cell:exec for a one-line
TypeScript cell and times the first cell:output (target: median <= 150 ms). Then 20 notebooks are
opened and subscribed, and 100 cells run one after another across them: the server's RSS and the
p95 latency of the first and last 50 runs show whether either grows (targets: p95 <= 150 ms in
both halves, RSS growth <= 10 %). Then Prometheus's scrape of /metrics is timed, with all those
runs counted in it (target <= 20 ms).

`--with-srcbook` measures the npm package srcbook the same way (installed with npm outside the
repository on first use; see srcbook.py).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.sync.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).parent))

from groundwork.bench import print_figure

NOTEBOOKS = 20
RUNS = 100

Finished = Callable[[str, dict[str, Any]], bool]


def start_server(home: Path) -> tuple[subprocess.Popen[str], str, str]:
    env = {**os.environ, "PERAGUS_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "peragus", "start", "--port", "0", "--no-open"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if found := re.search(r"(http://[\d.:]+)/login", line):
            token = (home / "peragus.token").read_text().strip()
            return process, found.group(1), token
    raise RuntimeError("peragus start printed no URL")


def exec_ms(
    ws: ClientConnection, topic: str, cell_id: str, finished: Finished | None = None
) -> float:
    """Milliseconds from sending cell:exec to the first cell:output, once the run has ended."""
    finished = finished or peragus_finished
    started = time.perf_counter()
    ws.send(json.dumps([topic, "cell:exec", {"cellId": cell_id}]))
    first = None
    while True:
        _, event, payload = json.loads(ws.recv(timeout=60))
        if event == "cell:output" and first is None:
            first = (time.perf_counter() - started) * 1000
        if event in ("error", "cell:error"):
            raise RuntimeError(payload)
        if finished(event, payload):
            if first is None:
                raise RuntimeError("the cell ended without output")
            return first


def peragus_finished(event: str, payload: dict[str, Any]) -> bool:
    if event != "cell:updated" or "exitCode" not in payload:
        return False
    if payload["exitCode"] != 0:
        raise RuntimeError(payload)
    return True


def srcbook_finished(event: str, payload: dict[str, Any]) -> bool:
    return event == "cell:updated" and payload["cell"].get("status") in ("idle", "failed")


SRCBOOK_NOTEBOOK = """<!-- srcbook:{"language":"typescript"} -->

# bench

###### package.json

```json
{"type": "module", "dependencies": {"tsx": "latest", "typescript": "latest"}}
```

###### one.ts

```typescript
console.log(1 as number);
```
"""


def srcbook_median() -> float:
    """The same one-line cell in srcbook (tsx per run), after its own dependency install."""
    import srcbook

    with srcbook.running() as server:
        session = server.import_text(SRCBOOK_NOTEBOOK)
        topic = f"session:{session['id']}"
        cells: list[dict[str, str]] = session["cells"]  # type: ignore[assignment]
        code = next(c["id"] for c in cells if c["type"] == "code")
        with server.websocket() as ws:
            ws.send(json.dumps([topic, "subscribe", {"id": "bench"}]))
            ws.send(json.dumps([topic, "deps:install", {}]))
            while True:
                _, event, payload = json.loads(ws.recv(timeout=300))
                cell = payload.get("cell", {})
                installed = cell.get("status") in ("idle", "failed")
                if event == "cell:updated" and cell.get("type") == "package.json" and installed:
                    break
            return statistics.median(exec_ms(ws, topic, code, srcbook_finished) for _ in range(15))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        process, url, token = start_server(home)
        headers = {"authorization": f"Bearer {token}"}
        try:
            http = httpx.Client(base_url=url, headers=headers, timeout=30)
            cells: list[tuple[str, str]] = []
            for n in range(NOTEBOOKS):
                name = http.post("/api/notebooks", json={"title": f"bench {n}"}).json()["notebook"][
                    "name"
                ]
                session = http.post("/api/sessions", json={"name": name}).json()["session"]
                code = next(c for c in session["cells"] if c["type"] == "code")
                cells.append((f"session:{name}", code["id"]))
            ws = connect(url.replace("http", "ws") + "/websocket", additional_headers=headers)
            with ws:
                measured = measure(ws, cells, psutil.Process(process.pid))
            scrapes = scrape_ms(http)
        finally:
            process.terminate()
            process.wait(timeout=15)
    cold, single, latencies, rss_before, rss_after = measured
    print_figure("first run in a fresh home (installs esbuild)", cold, "ms")
    print_figure(
        "cell:exec to first output, median", statistics.median(single), "ms", target="<= 150"
    )
    print_figure(f"{NOTEBOOKS} notebooks, {RUNS} runs: median", statistics.median(latencies), "ms")
    print_figure("p95 of runs 1-50", p95(latencies[:50]), "ms", target="<= 150")
    print_figure("p95 of runs 51-100", p95(latencies[50:]), "ms", target="<= 150")
    print_figure("server RSS before the 100 runs", rss_before, "MB")
    print_figure("server RSS after the 100 runs", rss_after, "MB")
    growth = 100 * (rss_after - rss_before) / rss_before
    print_figure("RSS growth over the 100 runs", growth, "%", target="<= 10")
    print_figure("/metrics scrape, median", statistics.median(scrapes), "ms", target="<= 20")
    print_figure("/metrics scrape, p95", p95(scrapes), "ms")
    if "--with-srcbook" in sys.argv:
        theirs = srcbook_median()
        print_figure("srcbook: cell:exec to first output, median", theirs, "ms")
        print_figure("srcbook / peragus", theirs / statistics.median(single), "x")


def scrape_ms(http: httpx.Client, count: int = 50) -> list[float]:
    """A scrape as Prometheus makes it: GET /metrics with the token, on a kept-alive connection."""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        reply = http.get("/metrics")
        timings.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
        assert "peragus_cell_runs_total" in reply.text
    return timings


def measure(
    ws: ClientConnection, cells: list[tuple[str, str]], server: psutil.Process
) -> tuple[float, list[float], list[float], float, float]:
    for topic, cell_id in cells:
        ws.send(json.dumps([topic, "subscribe", {}]))
        ws.send(
            json.dumps(
                [
                    topic,
                    "cell:update",
                    {"cellId": cell_id, "updates": {"source": "console.log(1 as number);"}},
                ]
            )
        )
    time.sleep(1)
    while True:  # drain subscribe and update replies
        try:
            ws.recv(timeout=0.2)
        except TimeoutError:
            break
    first_topic, first_cell = cells[0]
    cold = exec_ms(ws, first_topic, first_cell)
    single = [exec_ms(ws, first_topic, first_cell) for _ in range(20)]
    rss_before = server.memory_info().rss / 2**20
    latencies = [exec_ms(ws, *cells[i % NOTEBOOKS]) for i in range(RUNS)]
    rss_after = server.memory_info().rss / 2**20
    return cold, single, latencies, rss_before, rss_after


if __name__ == "__main__":
    main()
