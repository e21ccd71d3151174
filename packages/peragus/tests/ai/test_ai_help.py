"""AI help through the providers' SDKs, against a local HTTP server that speaks their wire
formats.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundwork.errors import ToolError
from groundwork.service import running_service
from peragus.ai.provider import complete
from peragus.server.app import peragus_app
from peragus.server.config import server_config
from peragus.settings.store import AiSettings

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
        self.status = 200

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                provider.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                if provider.failures > 0 or provider.status != 200:
                    provider.failures -= 1
                    self.send_response(503 if provider.status == 200 else provider.status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                if self.path == "/v1/messages":
                    answer: dict[str, Any] = {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "model": body["model"],
                        "content": [{"type": "text", "text": provider.reply}],
                        "stop_reason": "end_turn",
                        "usage": {"input_tokens": 10, "output_tokens": 20},
                    }
                else:
                    answer = {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "created": 1700000000,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": provider.reply},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
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


def new_session(client: httpx.Client, title: str) -> str:
    """A new notebook, opened: its name, which is also its session's id."""
    created = client.post("/api/notebooks", json={"title": title})
    assert created.status_code == 201, created.text
    name: str = created.json()["notebook"]["name"]
    assert client.post("/api/sessions", json={"name": name}).status_code == 200
    return name


def test_without_a_key_ai_help_explains_how_to_set_one(
    setup: tuple[httpx.Client, Provider, str],
) -> None:
    client, provider, _ = setup
    name = new_session(client, "AI")
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
    assert saved.json()["settings"]["ai_key_set"] is True and "sk-test-123" not in saved.text
    assert "sk-test-123" not in client.get("/api/settings").text
    name = new_session(client, "AI")
    provider.failures = 1  # a transient 503 is retried
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "count rows"})
    assert reply.status_code == 200, reply.text
    assert len(provider.requests) == 2
    created = reply.json()["cells"]
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
    metrics = client.get("/metrics").text
    assert 'peragus_ai_calls_total{outcome="ok",provider="openai"} 1.0' in metrics


def test_edit_a_cell_through_anthropic(setup: tuple[httpx.Client, Provider, str]) -> None:
    client, provider, base = setup
    client.put(
        "/api/settings/ai",
        json={"provider": "anthropic", "base_url": base, "model": "claude", "api_key": "ak-1"},
    )
    name = client.post("/api/notebooks", json={"title": "Edit"}).json()["notebook"]["name"]
    session = client.post("/api/sessions", json={"name": name}).json()["session"]
    cell = next(c for c in session["cells"] if c["type"] == "code")
    provider.reply = EDITED
    reply = client.post(
        f"/api/sessions/{name}/ai/edit", json={"cellId": cell["id"], "prompt": "say edited"}
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["edit"] == {
        "cellId": cell["id"],
        "source": "console.log('edited by the AI');",
    }
    request = provider.requests[-1]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["authorization"] == "Bearer ak-1"  # how the SDK sends the key
    assert "anthropic-version" in request["headers"]
    assert "hello.ts" in request["body"]["system"]


def test_a_reply_that_is_not_cells_is_a_clear_error(
    setup: tuple[httpx.Client, Provider, str],
) -> None:
    client, provider, base = setup
    client.put("/api/settings/ai", json={"base_url": base, "api_key": "k"})
    name = new_session(client, "Bad")
    provider.reply = "###### not a file name!\n\nSorry."
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "x"})
    assert reply.json()["code"] == "PERAGUS_AI_BAD_REPLY"
    assert "not notebook cells" in reply.json()["detail"]


def test_a_missing_key_is_a_fresh_error_each_time() -> None:
    """One shared error instance would carry every raise's traceback, growing in the server."""
    raised = []
    for _ in range(3):
        with pytest.raises(ToolError) as missing:
            complete(AiSettings(), None, "system", "user")
        raised.append(missing.value)
    assert raised[0].code == "PERAGUS_AI_NOT_CONFIGURED"
    assert len({id(e) for e in raised}) == 3
    depths = [len(traceback.extract_tb(e.__traceback__)) for e in raised]
    assert depths[0] == depths[1] == depths[2]


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_without_the_ai_extra_the_error_says_to_install_it(
    setup: tuple[httpx.Client, Provider, str], monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    client, fake, base = setup
    client.put(
        "/api/settings/ai",
        json={"provider": provider, "base_url": base, "model": "m", "api_key": "k"},
    )
    name = new_session(client, "No SDK")
    monkeypatch.setitem(sys.modules, provider, None)  # how Python sees a package not installed
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "x"})
    assert reply.status_code == 503
    assert reply.json()["code"] == "PERAGUS_AI_SDK_MISSING"
    assert any("peragus[ai]" in s for s in reply.json()["suggestions"])
    assert fake.requests == []


def test_a_rejected_key_says_so(setup: tuple[httpx.Client, Provider, str]) -> None:
    client, provider, base = setup
    client.put("/api/settings/ai", json={"base_url": f"{base}/v1", "api_key": "wrong"})
    name = new_session(client, "Key")
    provider.status = 401
    reply = client.post(f"/api/sessions/{name}/ai/generate", json={"prompt": "x"})
    assert reply.status_code == 403
    assert reply.json()["code"] == "PERAGUS_AI_KEY_REJECTED"
    assert len(provider.requests) == 1  # a refused key is not retried


def test_fix_diagnostics_over_the_websocket_proposes_the_fixed_cell(
    setup: tuple[httpx.Client, Provider, str],
) -> None:
    """srcbook's ai:fix_diagnostics: the compiler's complaints go to the provider, the fixed cell
    comes back as ai:generated to the page that asked."""
    from websockets.sync.client import connect

    client, provider, base = setup
    settings = {"provider": "openai", "base_url": f"{base}/v1", "model": "m", "api_key": "k"}
    assert client.put("/api/settings/ai", json=settings).status_code == 200
    name = new_session(client, "Fix")
    cell = next(
        c
        for c in client.get(f"/api/sessions/{name}").json()["session"]["cells"]
        if c["type"] == "code"
    )
    provider.reply = "###### hello.ts\n\n```typescript\nconst x: string = '5';\n```"
    token = client.headers["authorization"]
    url = str(client.base_url).replace("http://", "ws://") + "/websocket"
    with connect(url, additional_headers={"authorization": token}) as ws:
        topic = f"session:{name}"
        ws.send(json.dumps([topic, "subscribe", {}]))
        problem = "line 1, column 7: Type 'number' is not assignable to type 'string'."
        ws.send(
            json.dumps(
                [topic, "ai:fix_diagnostics", {"cellId": cell["id"], "diagnostics": problem}]
            )
        )
        while True:
            _, event, payload = json.loads(ws.recv(timeout=30))
            if event in ("ai:generated", "error"):
                break
    assert event == "ai:generated", payload
    assert payload == {"cellId": cell["id"], "output": "const x: string = '5';"}
    asked = provider.requests[-1]["body"]["messages"][-1]["content"]
    assert problem in asked and "hello.ts" in asked


def test_a_provider_that_is_down_is_paused_then_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three unavailable calls in a row pause the provider: the fourth fails at once, without a
    request; once the pause has passed (on the injected clock) one trial call goes through.
    """
    from peragus.ai import provider as ai

    now = [1000.0]
    monkeypatch.setattr(ai, "BREAKERS", ai.Breakers(clock=lambda: now[0]))
    monkeypatch.setattr(ai, "RETRIES", 0)  # each call is one request: the count says which ran
    fake = Provider()
    server, base = fake.serve()
    try:
        settings = AiSettings(provider="openai", base_url=f"{base}/v1", model="m")
        fake.status = 503
        for _ in range(3):
            with pytest.raises(ToolError) as failed:
                complete(settings, "sk", "system", "user")
            assert failed.value.code == "PERAGUS_AI_UNAVAILABLE"
        assert len(fake.requests) == 3
        with pytest.raises(ToolError) as paused:
            complete(settings, "sk", "system", "user")
        assert paused.value.code == "PERAGUS_AI_PAUSED"
        assert "unavailable 3 times in a row" in paused.value.message
        assert "next try goes through in 60 s" in paused.value.message
        assert len(fake.requests) == 3  # failed fast: the provider was not called

        fake.status = 200
        now[0] += 61
        assert complete(settings, "sk", "system", "user") == GENERATED
        assert len(fake.requests) == 4
        assert complete(settings, "sk", "system", "user") == GENERATED  # closed again
    finally:
        server.shutdown()


def test_a_rejected_key_does_not_pause_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    from peragus.ai import provider as ai

    monkeypatch.setattr(ai, "BREAKERS", ai.Breakers(clock=lambda: 0.0))
    fake = Provider()
    server, base = fake.serve()
    try:
        settings = AiSettings(provider="openai", base_url=f"{base}/v1", model="m")
        fake.status = 401
        for _ in range(5):
            with pytest.raises(ToolError) as rejected:
                complete(settings, "sk", "system", "user")
            assert rejected.value.code == "PERAGUS_AI_KEY_REJECTED"
        assert len(fake.requests) == 5
    finally:
        server.shutdown()
