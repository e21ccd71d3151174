"""AI help against a local HTTP server that speaks the providers' wire formats."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundwork.service import running_service
from peragus.server.app import peragus_app, server_config

GENERATED = (
    "```markdown\nFetch the data, then count it.\n\n###### count.ts\n\n```typescript\n"
    "const rows: number[] = [1, 2, 3];\nconsole.log(rows.length);\n```\n```"
)
EDITED = "###### hello.ts\n\n```typescript\nconsole.log('edited by the AI');\n```"


class Provider:
    """Records requests; answers in OpenAI's or Anthropic's shape; fails the first N times."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply = GENERATED
        self.failures = 0

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                provider.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if provider.failures > 0:
                    provider.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.path == "/v1/messages":
                    answer: dict[str, Any] = {"content": [{"type": "text", "text": provider.reply}]}
                else:
                    answer = {
                        "choices": [{"message": {"role": "assistant", "content": provider.reply}}]
                    }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[httpx.Client, Provider, str]]:
    provider = Provider()
    fake, base = provider.serve()
    home = tmp_path / "home"
    config = server_config(home, port=0)
    app = peragus_app(home, tmp_path / "notebooks", config)
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        with httpx.Client(
            base_url=info.url, headers={"authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            yield client, provider, base
    fake.shutdown()


def test_without_a_key_ai_help_explains_how_to_set_one(
    setup: tuple[httpx.Client, Provider, str],
) -> None:
    client, provider, _ = setup
    name = client.post("/api/notebooks", json={"title": "AI"}).json()["name"]
    client.post("/api/sessions", json={"name": name})
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "count rows"})
    assert reply.status_code == 400
    assert reply.json()["code"] == "PERAGUS_AI_NOT_CONFIGURED"
    assert any("Settings" in s for s in reply.json()["suggestions"])
    assert provider.requests == []


def test_generate_cells_through_an_openai_compatible_server(
    setup: tuple[httpx.Client, Provider, str],
) -> None:
    client, provider, base = setup
    settings = {
        "provider": "openai",
        "base_url": f"{base}/v1",
        "model": "local",
        "api_key": "sk-test-123",
    }
    saved = client.put("/api/settings/ai", json=settings)
    assert saved.json()["ai_key_set"] is True and "sk-test-123" not in saved.text
    assert "sk-test-123" not in client.get("/api/settings").text
    name = client.post("/api/notebooks", json={"title": "AI"}).json()["name"]
    client.post("/api/sessions", json={"name": name})
    provider.failures = 1  # a transient 503 is retried
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "count rows"})
    assert reply.status_code == 200, reply.text
    created = reply.json()["created"]
    assert [c["type"] for c in created] == ["markdown", "code"]
    assert created[1]["filename"] == "count.ts"
    request = provider.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test-123"
    context = request["body"]["messages"][1]["content"]
    assert '<!-- srcbook:{"language":"typescript"} -->' in context and "# AI" in context
    assert "count rows" in context
    exported = client.get(f"/api/notebooks/{name}/export").text
    assert "###### count.ts" in exported and "Fetch the data" in exported


def test_edit_a_cell_through_anthropic(setup: tuple[httpx.Client, Provider, str]) -> None:
    client, provider, base = setup
    client.put(
        "/api/settings/ai",
        json={"provider": "anthropic", "base_url": base, "model": "claude", "api_key": "ak-1"},
    )
    name = client.post("/api/notebooks", json={"title": "Edit"}).json()["name"]
    session = client.post("/api/sessions", json={"name": name}).json()
    cell = next(c for c in session["cells"] if c["type"] == "code")
    provider.reply = EDITED
    reply = client.post(
        f"/api/sessions/{name}/ai/edit", json={"cellId": cell["id"], "prompt": "say edited"}
    )
    assert reply.json()["source"] == "console.log('edited by the AI');"
    request = provider.requests[-1]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["x-api-key"] == "ak-1"
    assert "hello.ts" in request["body"]["system"]


def test_a_reply_that_is_not_cells_is_a_clear_error(
    setup: tuple[httpx.Client, Provider, str],
) -> None:
    client, provider, base = setup
    client.put("/api/settings/ai", json={"base_url": base, "api_key": "k"})
    name = client.post("/api/notebooks", json={"title": "Bad"}).json()["name"]
    client.post("/api/sessions", json={"name": name})
    provider.reply = "###### not a file name!\n\nSorry."
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "x"})
    assert reply.json()["code"] == "PERAGUS_AI_BAD_REPLY"
    assert "not notebook cells" in reply.json()["detail"]
