"""The editor's language features over the real WebSocket: a real tsserver (typescript from npm)
per open notebook, prettier, cell moves, dependency checks, tsconfig.json, linked secrets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from websockets.sync.client import ClientConnection

from groundwork.service import running_service
from peragus.execution.runner import Limits
from peragus.server.app import peragus_app
from peragus.server.config import server_config

from .test_observability import samples
from .test_server import Server, new_notebook, open_session, receive_until, send, subscribe


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home per module, so the toolchain is installed once."""
    return tmp_path_factory.mktemp("peragus-home")


@pytest.fixture
def server(shared_home: Path, tmp_path: Path) -> Iterator[Server]:
    config = server_config(shared_home, port=0)
    notebooks = tmp_path / "notebooks"
    app = peragus_app(shared_home, notebooks, config, Limits(timeout_seconds=20))
    with running_service(app, config) as info:
        token = config.token_file.read_text().strip()
        yield Server(info.url, token, shared_home, notebooks)


def cells_of(server: Server, name: str) -> dict[str, str]:
    """Code cells by file name: their ids."""
    return {
        c["filename"]: c["id"] for c in open_session(server, name)["cells"] if c["type"] == "code"
    }


def two_cell_notebook(server: Server, ws: ClientConnection) -> tuple[str, str, str, str]:
    """A TypeScript notebook with util.ts (an export) and main.ts: name, topic, their ids."""
    name, topic, util = new_notebook(server, "Language", "typescript")
    subscribe(ws, topic)
    send(ws, topic, "cell:rename", {"cellId": util, "filename": "util.ts"})
    receive_until(ws, "cell:updated", lambda p: p["cell"]["filename"] == "util.ts")
    send(
        ws,
        topic,
        "cell:update",
        {
            "cellId": util,
            "updates": {"source": "export const greeting = (who: string) => `hi ${who}`;"},
        },
    )
    receive_until(ws, "cell:updated")
    send(
        ws,
        topic,
        "cell:create",
        {"index": 5, "cell": {"type": "code", "filename": "main.ts", "source": ""}},
    )
    _, created = receive_until(ws, "cell:created")
    return name, topic, util, created["cell"]["id"]


def edit(ws: ClientConnection, topic: str, cell_id: str, source: str) -> None:
    send(ws, topic, "cell:update", {"cellId": cell_id, "updates": {"source": source}})


def diagnostics_for(ws: ClientConnection, cell_id: str, where: Any = lambda d: True) -> list[Any]:
    _, payload = receive_until(
        ws,
        "tsserver:cell:diagnostics",
        lambda p: p["cellId"] == cell_id and where(p["diagnostics"]),
        timeout=60,
    )
    diagnostics: list[Any] = payload["diagnostics"]
    return diagnostics


def request(
    ws: ClientConnection, topic: str, kind: str, cell_id: str, line: int, offset: int
) -> Any:
    send(
        ws,
        topic,
        f"tsserver:cell:{kind}:request",
        {
            "cellId": cell_id,
            "requestId": kind,
            "request": {"location": {"line": line, "offset": offset}},
        },
    )
    _, reply = receive_until(ws, f"tsserver:cell:{kind}:response", lambda p: p["requestId"] == kind)
    assert reply["cellId"] == cell_id
    return reply["response"]


def test_a_type_error_is_reported_as_typed_and_cleared_when_fixed(server: Server) -> None:
    with server.websocket() as ws:
        _, topic, _, main = two_cell_notebook(server, ws)
        send(ws, topic, "tsserver:start", {})
        receive_until(ws, "tsserver:status", lambda p: p["status"] == "ready", timeout=60)
        edit(ws, topic, main, "const x: string = 5;\nconsole.log(x);")
        [error] = diagnostics_for(ws, main, bool)
        assert error["text"] == "Type 'number' is not assignable to type 'string'."
        assert error["start"] == {"line": 1, "offset": 7} and error["category"] == "error"
        edit(ws, topic, main, "const x: string = '5';\nconsole.log(x);")
        assert diagnostics_for(ws, main, lambda d: not d) == []


def test_completions_hover_and_definition_reach_across_cells(server: Server) -> None:
    with server.websocket() as ws:
        _, topic, util, main = two_cell_notebook(server, ws)
        send(ws, topic, "tsserver:start", {})
        receive_until(ws, "tsserver:status", lambda p: p["status"] == "ready", timeout=60)
        source = "import { greeting } from './util.ts';\nconsole.\nconsole.log(greeting('you'));"
        edit(ws, topic, main, source)
        receive_until(ws, "cell:updated")

        members = request(ws, topic, "completions", main, 2, 9)
        names = [e["name"] for e in members["entries"]]
        assert {"log", "error", "table"} <= set(names)
        assert members["isMemberCompletion"] is True

        edit(ws, topic, main, source.replace("console.\n", "gree\n"))
        receive_until(ws, "cell:updated")
        near = request(ws, topic, "completions", main, 2, 5)
        assert "greeting" in [e["name"] for e in near["entries"]]  # the sibling cell's export
        assert near["from"] == {"line": 2, "offset": 1}

        hover = request(ws, topic, "quickinfo", main, 3, 14)
        assert hover["displayString"] == "(alias) greeting(who: string): string\nimport greeting"

        [place] = request(ws, topic, "definition_location", main, 3, 14)
        assert place["cellId"] == util and place["filename"] == "util.ts"
        assert place["start"] == {"line": 1, "offset": 14}


def test_tsserver_stops_when_the_last_page_leaves(server: Server) -> None:
    def tsservers() -> list[psutil.Process]:
        return [
            p
            for p in psutil.Process().children(recursive=True)
            if any("tsserver.js" in part for part in p.cmdline())
        ]

    with server.websocket() as ws:
        _, topic, _, _ = two_cell_notebook(server, ws)
        assert tsservers() == []
        send(ws, topic, "tsserver:start", {})
        receive_until(ws, "tsserver:status", lambda p: p["status"] == "ready", timeout=60)
        [running] = tsservers()
        send(ws, topic, "unsubscribe", {})
        send(ws, "heartbeat", "ping", {})
        receive_until(ws, "pong")  # the unsubscribe before it was handled
    running.wait(timeout=10)  # raises if it is still running then
    assert not running.is_running() and tsservers() == []


def test_format_moves_and_validate_dependencies(server: Server) -> None:
    with server.websocket() as ws:
        name, topic, _util, main = two_cell_notebook(server, ws)
        edit(ws, topic, main, "import  chalk from 'chalk'\nconst a={b:1,c:[1,2]}\nconsole.log( a )")
        receive_until(ws, "cell:updated")
        send(ws, topic, "cell:format", {"cellId": main})
        _, formatted = receive_until(ws, "cell:formatted", timeout=60)
        assert formatted["cell"]["source"] == (
            'import chalk from "chalk";\nconst a = { b: 1, c: [1, 2] };\nconsole.log(a);'
        )
        send(ws, topic, "deps:validate", {})
        _, missing = receive_until(ws, "deps:validate:response")
        assert missing == {"packages": ["chalk"]}

        send(ws, topic, "cell:move", {"cellId": main, "index": 0})
        _, moved = receive_until(ws, "cell:moved")
        assert moved == {"cellId": main, "index": 0}
    assert list(cells_of(server, name)) == ["main.ts", "util.ts"]
    readme = (server.notebooks / name / "README.md").read_text()
    assert readme.index("###### main.ts") < readme.index("###### util.ts")


def test_a_bad_format_or_tsconfig_is_an_error_that_changes_nothing(server: Server) -> None:
    with server.websocket() as ws:
        name, topic, _, main = two_cell_notebook(server, ws)
        edit(ws, topic, main, "const = ;")
        receive_until(ws, "cell:updated")
        send(ws, topic, "cell:format", {"cellId": main})
        _, error = receive_until(ws, "error", timeout=60)
        assert error["code"] == "PERAGUS_FORMAT_FAILED" and "main.ts" in error["message"]
        send(ws, topic, "tsconfig.json:update", {"source": '{"compilerOptions": '})
        _, error = receive_until(ws, "error")
        assert error["code"] == "PERAGUS_TSCONFIG_INVALID" and "line 1" in error["message"]
    tsconfig = json.loads((server.notebooks / name / "tsconfig.json").read_text())
    assert tsconfig["compilerOptions"]["strict"] is True


def test_tsconfig_changes_restart_tsserver_with_the_new_options(server: Server) -> None:
    with server.websocket() as ws:
        name, topic, _, main = two_cell_notebook(server, ws)
        send(ws, topic, "tsserver:start", {})
        receive_until(ws, "tsserver:status", lambda p: p["status"] == "ready", timeout=60)
        edit(ws, topic, main, "function f(x) { return x; }\nconsole.log(f(1));")
        [implicit_any] = diagnostics_for(ws, main, bool)
        assert "implicitly has an 'any' type" in implicit_any["text"]
        loose = {"compilerOptions": {"strict": False, "noEmit": True}, "include": ["src/**/*"]}
        send(ws, topic, "tsconfig.json:update", {"source": json.dumps(loose)})
        _, updated = receive_until(ws, "tsconfig.json:updated")
        assert json.loads(updated["source"]) == loose
        receive_until(ws, "tsserver:status", lambda p: p["status"] == "ready", timeout=60)
        assert diagnostics_for(ws, main, lambda d: not d) == []
    assert json.loads((server.notebooks / name / "tsconfig.json").read_text()) == loose
    exported = server.http.get(f"/api/notebooks/{name}/export").text
    assert '"strict":false' in exported.splitlines()[0]


def test_a_secret_linked_to_one_notebook_reaches_only_that_notebook(server: Server) -> None:
    first, first_topic, first_cell = new_notebook(server, "First")
    _second, second_topic, second_cell = new_notebook(server, "Second")
    with server.http as http:
        assert http.put("/api/secrets/SHARED", json={"value": "everyone"}).status_code == 200
        assert http.put("/api/secrets/ONLY_FIRST", json={"value": "first"}).status_code == 200
        linked = http.put(f"/api/secrets/ONLY_FIRST/notebooks/{first}")
        assert linked.status_code == 200, linked.text
        assert linked.json()["secret"]["notebooks"] == [first]
        missing = http.put("/api/secrets/ONLY_FIRST/notebooks/no-such-notebook")
        assert missing.status_code == 404
    probe = "console.log(`${process.env.SHARED}/${process.env.ONLY_FIRST ?? 'unset'}`);"
    seen = {}
    with server.websocket() as ws:
        for topic, cell in ((first_topic, first_cell), (second_topic, second_cell)):
            subscribe(ws, topic)
            edit(ws, topic, cell, probe)
            receive_until(ws, "cell:updated")
            send(ws, topic, "cell:exec", {"cellId": cell})
            _, output = receive_until(ws, "cell:output")
            seen[topic] = output["output"]["data"]
    assert seen == {first_topic: "everyone/first\n", second_topic: "everyone/unset\n"}


def test_npm_search_finds_a_package_by_its_name(server: Server) -> None:
    with server.http as http:
        reply = http.get("/api/npm/search", params={"q": "random-words"})
    assert reply.status_code == 200, reply.text
    found = reply.json()
    first = found["packages"][0]
    assert first["name"] == "random-words" and first["version"]
    assert found["query"] == "random-words"


def test_the_examples_gallery_imports_each_example(server: Server) -> None:
    with server.http as http:
        examples = http.get("/api/examples").json()["examples"]
        assert [e["name"] for e in examples] == ["typescript-tour", "csv-report", "node-toolbox"]
        assert all(e["title"] and e["description"] for e in examples)
        imported = http.post("/api/examples/csv-report/import")
        assert imported.status_code == 201, imported.text
        assert imported.json()["notebook"]["title"] == "A report from CSV data"
        assert http.post("/api/examples/nope/import").json()["code"] == "PERAGUS_EXAMPLE_NOT_FOUND"


def test_a_first_typescript_run_says_it_installs_the_toolchain(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    config = server_config(home, port=0)
    app = peragus_app(home, tmp_path / "notebooks", config, Limits(timeout_seconds=20))
    with running_service(app, config) as info:
        server = Server(info.url, config.token_file.read_text().strip(), home, tmp_path)
        _, topic, cell = new_notebook(server, "First run", "typescript")
        with server.websocket() as ws:
            subscribe(ws, topic)
            send(ws, topic, "cell:exec", {"cellId": cell})
            seen, _ = receive_until(ws, "cell:output", timeout=120)
    notices = [m[2]["message"] for m in seen if m[1] == "cell:notice"]
    assert notices[0].startswith("Installing esbuild@0.24.2 with npm, once")
    assert notices[1].startswith("Installed esbuild@0.24.2 in ")


@pytest.mark.parametrize(
    ("event", "payload", "field"),
    [
        ("tsserver:cell:completions:request", {"cellId": "c1", "request": {}}, "location"),
        (
            "tsserver:cell:quickinfo:request",
            {"cellId": "c1", "request": {"location": {"line": 0, "offset": 1}}},
            "line",
        ),
        ("cell:move", {"cellId": "c1", "index": -1}, "index"),
        ("ai:fix_diagnostics", {"cellId": "c1", "diagnostics": ""}, "diagnostics"),
    ],
)
def test_editor_events_are_validated(
    server: Server, event: str, payload: dict[str, Any], field: str
) -> None:
    _, topic, _ = new_notebook(server, "Validated")
    with server.websocket() as ws:
        subscribe(ws, topic)
        send(ws, topic, event, payload)
        _, error = receive_until(ws, "error")
        assert field in error["message"]
        send(ws, "heartbeat", "ping", {})
        receive_until(ws, "pong")  # the connection stays open


def test_completions_offer_an_installed_packages_exports(server: Server) -> None:
    with server.websocket() as ws:
        _, topic, _, main = two_cell_notebook(server, ws)
        # Only the package under test: the default devDependencies would take a minute.
        package = '{"type": "module", "dependencies": {}}'
        send(ws, topic, "cell:update", {"cellId": "package.json", "updates": {"source": package}})
        receive_until(ws, "cell:updated", lambda p: p["cell"]["id"] == "package.json")
        send(ws, topic, "deps:install", {"packages": ["random-words"]})
        _, status = receive_until(
            ws, "deps:install:status", lambda p: p["status"] != "installing", timeout=120
        )
        assert status["status"] == "complete", status
        edit(ws, topic, main, "import { gen } from 'random-words';\nconsole.log(generate());")
        receive_until(ws, "cell:updated", lambda p: p["cell"]["id"] == main)
        found = request(ws, topic, "completions", main, 1, 13)
        assert "generate" in [e["name"] for e in found["entries"]]
        # What Prometheus sees meanwhile: the install counted, this notebook's tsserver running.
        with server.http as http:
            metrics = samples(http.get("/metrics").text)
        assert metrics[("peragus_npm_installs_total", (("outcome", "ok"),))] == 1
        assert metrics[("peragus_tsserver_processes", ())] == 1


def test_a_sibling_cells_export_completes_with_its_import(server: Server) -> None:
    with server.websocket() as ws:
        _, topic, _, main = two_cell_notebook(server, ws)
        edit(ws, topic, main, "gree")
        receive_until(ws, "cell:updated", lambda p: p["cell"]["id"] == main)
        found = request(ws, topic, "completions", main, 1, 5)
        [entry] = [e for e in found["entries"] if e["name"] == "greeting"]
        assert entry["hasAction"] is True
        send(
            ws,
            topic,
            "tsserver:cell:completion_details:request",
            {
                "cellId": main,
                "requestId": "details",
                "request": {
                    "location": {"line": 1, "offset": 5},
                    "entry": {k: entry[k] for k in ("name", "source", "data") if k in entry},
                },
            },
        )
        _, reply = receive_until(ws, "tsserver:cell:completion_details:response")
    [change] = reply["response"]["textChanges"]
    assert change["newText"] == 'import { greeting } from "./util.ts";\n\n'
    assert change["start"] == {"line": 1, "offset": 1}
