"""`mcp search|browse|install` over the catalog and a registry served over real HTTP; a registry
that does not answer is a notice, not a failure."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

InProcess = Callable[..., Any]


REGISTRY = {
    "servers": [
        {
            "server": {
                "name": "io.github.example/postgres",
                "description": "Query PostgreSQL databases",
                "version": "1.2.0",
                "packages": [
                    {
                        "registryType": "npm",
                        "identifier": "@example/postgres-mcp",
                        "version": "1.2.0",
                        "environmentVariables": [
                            {"name": "PG_PASSWORD", "isSecret": True},
                            {"name": "PG_HOST", "default": "localhost"},
                        ],
                    }
                ],
            }
        },
        {
            "server": {
                "name": "io.example/weather",
                "description": "Weather forecasts",
                "remotes": [{"type": "streamable-http", "url": "https://weather.example/mcp"}],
            }
        },
    ]
}


class _Registry(BaseHTTPRequestHandler):
    asked: list[str]

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = json.dumps(REGISTRY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def registry() -> Iterator[tuple[str, list[str]]]:
    asked: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Registry,), {"asked": asked}))
    thread = threading.Thread(target=functools.partial(server.serve_forever, 0.05), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_search_finds_the_catalog_and_the_registry(
    cli: InProcess, registry: tuple[str, list[str]]
) -> None:
    url, asked = registry
    assert cli("init").code == 0
    found = json.loads(cli("mcp", "search", "postgres", "--registry", url, "-o", "json").stdout)
    assert [s["name"] for s in found["mcp_servers"]] == ["postgres"]
    assert found["mcp_servers"][0]["origin"] == "registry"
    assert found["notice"] is None
    assert asked == ["/v0/servers?limit=100&search=postgres"]
    everything = json.loads(cli("mcp", "browse", "--registry", url, "-o", "json").stdout)
    names = {s["name"]: s["origin"] for s in everything["mcp_servers"]}
    assert names["weather"] == "registry" and names["git"] == "bundled"
    git_only = json.loads(cli("mcp", "search", "git", "-o", "json").stdout)
    assert [s["name"] for s in git_only["mcp_servers"]] == ["git", "github"]


def test_install_from_the_registry_lists_the_secrets_it_needs(
    cli: InProcess, registry: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = registry
    monkeypatch.setenv("AI_CONFIG_MCP_REGISTRY", url)
    assert cli("init").code == 0
    ran = cli("mcp", "install", "postgres", "-o", "json")
    assert ran.code == 0, ran.stdout
    installed = json.loads(ran.stdout)
    assert installed["mcp_server"]["origin"] == "user"
    assert installed["mcp_server"]["definition"] == {
        "command": "npx",
        "args": ["-y", "@example/postgres-mcp@1.2.0"],
        "env": {"PG_PASSWORD": "${secret:PG_PASSWORD}", "PG_HOST": "localhost"},
        "description": "Query PostgreSQL databases",
    }
    assert installed["secrets_needed"] == ["PG_PASSWORD"]
    again = cli("mcp", "install", "postgres", "-o", "json")
    assert (again.code, json.loads(again.stdout)["code"]) == (4, "AI_CONFIG_MCP_EXISTS")
    assert cli("mcp", "secret", "PG_PASSWORD", "--value", "pw").code == 0
    bundled = json.loads(cli("mcp", "install", "github", "-o", "json").stdout)
    assert bundled["secrets_needed"] == ["GITHUB_PERSONAL_ACCESS_TOKEN"]


def test_an_unreachable_registry_is_a_notice(cli: InProcess) -> None:
    assert cli("init").code == 0
    ran = cli("mcp", "search", "git", "--registry", "http://127.0.0.1:1", "-o", "json")
    assert ran.code == 0
    found = json.loads(ran.stdout)
    assert [s["name"] for s in found["mcp_servers"]] == ["git", "github"]
    assert "was not reachable" in found["notice"]
    missing = cli("mcp", "install", "nowhere", "--registry", "http://127.0.0.1:1", "-o", "json")
    assert (missing.code, json.loads(missing.stdout)["code"]) == (3, "AI_CONFIG_MCP_NOT_FOUND")
