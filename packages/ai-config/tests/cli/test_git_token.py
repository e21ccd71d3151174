"""AI_CONFIG_GIT_TOKEN goes to the library's URL only, and is written nowhere.

Checked with real git: the configuration git sees for each URL, and a real HTTP remote that
records the Authorization header of every request git makes.
"""

from __future__ import annotations

import functools
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ai_config.library.git import token_env

TOKEN = "tok-5ecret-7e57-0000"
LIBRARY = "https://git.example.org/team/agents.git"


def header_git_sends(url: str, env: dict[str, str]) -> str | None:
    """The Authorization header git would send to ``url`` with this environment."""
    done = subprocess.run(
        ["git", "config", "--get-urlmatch", "http.extraheader", url],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.strip() or None


def test_git_sees_the_header_for_the_library_url_only() -> None:
    env = token_env(LIBRARY, {"AI_CONFIG_GIT_TOKEN": TOKEN})
    assert header_git_sends(LIBRARY, env) == f"Authorization: Bearer {TOKEN}"
    for elsewhere in (
        "https://git.example.org/team/submodule.git",  # a submodule beside it
        "https://git.example.org/",  # the host's other repositories
        "https://mirror.example.net/team/agents.git",  # a redirect or mirror
        "http://git.example.org/team/agents.git",  # the same path in plain HTTP
    ):
        assert header_git_sends(elsewhere, env) is None, elsewhere


def test_settings_already_in_gits_environment_are_kept() -> None:
    mine = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.abbrev", "GIT_CONFIG_VALUE_0": "12"}
    env = {**mine, **token_env(LIBRARY, {**mine, "AI_CONFIG_GIT_TOKEN": TOKEN})}
    assert header_git_sends(LIBRARY, env) == f"Authorization: Bearer {TOKEN}"
    abbrev = subprocess.run(
        ["git", "config", "--get", "core.abbrev"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert abbrev.stdout.strip() == "12"


def test_no_token_or_no_https_means_no_header() -> None:
    assert token_env(LIBRARY, {}) == {}
    assert token_env("git@git.example.org:team/agents.git", {"AI_CONFIG_GIT_TOKEN": TOKEN}) == {}
    assert token_env(None, {"AI_CONFIG_GIT_TOKEN": TOKEN}) == {}


class Recorder(SimpleHTTPRequestHandler):
    """Serves repositories over git's dumb HTTP protocol, noting each request's Authorization."""

    seen: list[tuple[str, str | None]]

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def http_remote(tmp_path: Path) -> Iterator[tuple[str, Path, list[tuple[str, str | None]]]]:
    """(base URL, folder it serves, requests seen) for a real HTTP server on 127.0.0.1."""
    served = tmp_path / "served"
    served.mkdir()
    seen: list[tuple[str, str | None]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(served))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served, seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_token_reaches_the_library_and_nothing_else(
    tmp_path: Path, upstream: Any, run: Any, http_remote: Any
) -> None:
    base_url, served, seen = http_remote
    (served / "other").mkdir()
    team, other = type(upstream)(served), type(upstream)(served / "other")
    team.push({"roles/reviewer.md": "# Reviewer\n"})
    other.push({"roles/ops.md": "# Ops\n"})

    def publish() -> None:
        for remote in (team, other):
            subprocess.run(["git", "update-server-info"], cwd=remote.bare, check=True)

    publish()
    env = {"AI_CONFIG_GIT_TOKEN": TOKEN}
    library_url, other_url = f"{base_url}/team.git", f"{base_url}/other/team.git"
    outputs = [run(tmp_path, "init", "--library", library_url, "--branch", "main", env=env)]
    outputs.append(run(tmp_path, "library", "source", "add", "other", other_url, env=env))
    team.push({"roles/reviewer.md": "# Reviewer v2\n"})
    other.push({"roles/ops.md": "# Ops v2\n"})
    publish()
    outputs.append(run(tmp_path, "library", "update", "-o", "json", env=env))
    team.bare.rename(team.bare.with_name("moved.git"))
    outputs.append(run(tmp_path, "--debug", "library", "update", env=env))
    codes = [done.returncode for done in outputs]
    assert codes == [0, 0, 0, 6], [o.stderr for o in outputs]
    assert "AI_CONFIG_GIT_REPOSITORY_MOVED" in outputs[-1].stderr

    to_library = [auth for path, auth in seen if path.startswith("/team.git/")]
    to_other = [auth for path, auth in seen if path.startswith("/other/")]
    assert to_library and set(to_library) == {f"Bearer {TOKEN}"}
    assert to_other and set(to_other) == {None}

    for done in outputs:
        assert TOKEN not in done.stdout + done.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(served)]
    assert any(p.name == "config" and p.parent.name == ".git" for p in written)
    assert [p for p in written if TOKEN.encode() in p.read_bytes()] == []
