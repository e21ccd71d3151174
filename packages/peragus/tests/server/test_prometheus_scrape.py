"""Debian's Prometheus scrapes peragus's /metrics with the token, as a user would configure it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from groundwork.service import running_service
from peragus.server.app import peragus_app
from peragus.server.config import server_config

from .process import free_port


def query(prometheus: str, expression: str) -> list[dict[str, Any]]:
    reply = httpx.get(f"{prometheus}/api/v1/query", params={"query": expression}, timeout=10)
    reply.raise_for_status()
    found: list[dict[str, Any]] = reply.json()["data"]["result"]
    return found


def test_prometheus_scrapes_metrics_with_the_token(system_tool: Any, tmp_path: Path) -> None:
    binary = system_tool("prometheus", package="prometheus")
    home = tmp_path / "home"
    config = server_config(home, port=0)
    app = peragus_app(home, tmp_path / "notebooks", config)
    with running_service(app, config) as info:
        target = info.url.removeprefix("http://")
        (tmp_path / "prometheus.yml").write_text(
            "global:\n  scrape_interval: 1s\n"
            "scrape_configs:\n"
            "  - job_name: peragus\n"
            "    authorization:\n"
            f"      credentials_file: {config.token_file}\n"
            f"    static_configs:\n      - targets: ['{target}']\n"
        )
        port = free_port()
        prometheus = subprocess.Popen(
            [
                binary,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60  # a bound on Prometheus's start and first scrape
            while True:
                try:
                    up = query(url, 'up{job="peragus"}')
                    served = query(url, 'peragus_http_requests_total{route="/metrics"}')
                except httpx.HTTPError:
                    up, served = [], []
                if up and up[0]["value"][1] == "1" and served:
                    break
                assert time.monotonic() < deadline, f"no successful scrape: {up}"
                time.sleep(0.5)
            assert served[0]["metric"]["status"] == "200"
            rss = query(url, 'process_resident_memory_bytes{job="peragus"}')
            assert float(rss[0]["value"][1]) > 10_000_000
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)
