"""Resolving every bundled template for launch, concurrently against one after another.

Resolution = template (inheritance, parameters) + image discovery (an SSM round trip to the
sandbox, uncached) + the setup script: what a launch does before AWS runs anything.
Target: concurrent >= 2x faster.

Measured twice: against the sandbox on loopback (a ~1 ms round trip, so little to overlap) and
through a proxy that adds 40 ms to each response, about what an SSM call to a nearby AWS region
takes, which is where the concurrency pays.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from groundwork.bench import print_figure, time_call
from prism.cloud.images import ImageFinder
from prism.sandbox import Sandbox
from prism.sandbox.emulator import SSM_PREFIX
from prism.templates.catalog import Catalog


def start_latency_proxy(target: str, delay: float) -> str:
    """A TCP proxy on loopback that holds each response chunk back by ``delay`` seconds."""
    host, port = target.removeprefix("http://").split(":")
    ready = threading.Event()
    address: list[str] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, wait: float) -> None:
        while data := await reader.read(65536):
            if wait:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(client_r, server_w, 0), pipe(server_r, client_w, delay))

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        address.append(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        ready.set()
        await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    ready.wait()
    return address[0]


def measure(home: Path, sandbox: Sandbox, url: str, label: str) -> None:
    ec2, ssm = sandbox.client("ec2", url, "us-east-1"), sandbox.client("ssm", url, "us-east-1")
    catalog = Catalog(None)
    slugs = list(catalog.files())

    def resolve(slug: str) -> None:
        resolved = catalog.resolve(slug)
        cache = home / f"images-{slug}-{time.perf_counter_ns()}.json"
        finder = ImageFinder(ec2, ssm, cache, ssm_prefix=SSM_PREFIX)
        finder.find(resolved.template.base or "ubuntu-22.04", "x86_64", "us-east-1")
        resolved.user_data()

    def sequential() -> None:
        for slug in slugs:
            resolve(slug)

    def concurrent() -> None:
        with ThreadPoolExecutor(max_workers=len(slugs)) as pool:
            list(pool.map(resolve, slugs))

    one_by_one = time_call(sequential, runs=5)
    together = time_call(concurrent, runs=5)
    print_figure(f"{label}: sequential, {len(slugs)} templates", one_by_one.median_ms, "ms")
    print_figure(f"{label}: concurrent, {len(slugs)} templates", together.median_ms, "ms")
    print_figure(
        f"{label}: speed-up", one_by_one.median_ms / together.median_ms, "x", target=">= 2x"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        sandbox = Sandbox(home)
        url = sandbox.ensure()
        try:
            measure(home, sandbox, url, "loopback")
            measure(home, sandbox, start_latency_proxy(url, 0.040), "40 ms to AWS")
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
