"""Symlinks in a shared library never lead outside it; remotes that real servers have (a HEAD
naming a missing branch); git failures told apart, each with what to do."""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ai_config.agents.model import Agent
from ai_config.agents.store import AgentStore
from ai_config.library.gitfail import classify
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog
from groundwork.errors import ToolError


def git(cwd: Path, *args: str) -> None:
    done = subprocess.run(
        ["git", "-c", "user.name=team", "-c", "user.email=team@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


SECRET = "ssh-private-key-material-do-not-copy"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "id_ed25519").write_text(SECRET + "\n")
    (folder / "notes.md").write_text(SECRET + "\n")
    return folder


def push_links(upstream: Any, links: dict[str, str]) -> None:
    for rel, target in links.items():
        path = upstream.work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
    upstream.commit("links")


def test_symlinks_leading_outside_are_reported_and_never_followed(
    library: Library, upstream: Any, outside: Path
) -> None:
    push_links(
        upstream,
        {
            "roles/evil.md": str(outside / "id_ed25519"),
            "linked": str(outside),
            "roles/alias.md": "reviewer.md",
        },
    )
    library.update()
    paths = [f.path for f in library.files()]
    assert "roles/alias.md" in paths  # inside the library: followed
    assert "roles/evil.md" not in paths and not any(p.startswith("linked/") for p in paths)
    unsafe = {(u.path, u.library, u.target) for u in library.status().unsafe_links}
    assert unsafe == {
        ("roles/evil.md", "base", str(outside / "id_ed25519")),
        ("linked", "base", str(outside)),
    }
    for path in ("roles/evil.md", "linked/notes.md"):
        with pytest.raises(ToolError) as refused:
            library.edit(path, open_editor=False)
        assert refused.value.code == "AI_CONFIG_SYMLINK_OUTSIDE"
        with pytest.raises(ToolError) as unread:
            library.resolve(path)
        assert unread.value.code == "AI_CONFIG_SYMLINK_OUTSIDE"
    history = library.personal.out("log", "-p", "--all")
    assert SECRET not in history
    assert not any(SECRET in p.read_text() for p in library.personal_dir.rglob("*.md"))


def test_an_agent_cannot_inline_a_file_through_a_symlink(
    library: Library, upstream: Any, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    push_links(upstream, {"linked": str(outside)})
    library.update()
    store = AgentStore(library)
    catalog = McpCatalog(library.home)
    with pytest.raises(ToolError) as prompt:
        store.resolve(Agent(name="thief", prompt="linked/notes.md"), catalog)
    assert prompt.value.code == "AI_CONFIG_SYMLINK_OUTSIDE"
    with pytest.raises(ToolError) as resources:
        store.resolve(Agent(name="thief", resources=["linked/*"]), catalog)
    assert resources.value.code == "AI_CONFIG_RESOURCE_NOT_FOUND"


def test_a_personal_folder_linked_outside_is_not_written_through(
    library: Library, outside: Path
) -> None:
    os.symlink(outside, library.personal_dir / "roles")
    with pytest.raises(ToolError) as refused:
        library.edit("roles/reviewer.md", open_editor=False)
    assert refused.value.code == "AI_CONFIG_SYMLINK_OUTSIDE"
    assert sorted(p.name for p in outside.iterdir()) == ["id_ed25519", "notes.md"]


def test_init_follows_the_only_branch_when_the_remote_head_names_a_missing_one(
    tmp_path: Path,
) -> None:
    bare, work = tmp_path / "selfhosted.git", tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "master", str(bare))
    git(tmp_path, "clone", "-q", str(bare), str(work))
    git(work, "checkout", "-q", "-b", "main")
    (work / "roles").mkdir()
    (work / "roles" / "ops.md").write_text("# Ops\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "first")
    git(work, "push", "-q", "origin", "main")

    lib = Library(tmp_path / "home")
    lib.init(str(bare), None)
    assert lib.resolve("roles/ops.md").origin == "base"
    assert lib.read_lock().sources["base"].branch == "main"

    git(work, "push", "-q", "origin", "main:release")
    other = Library(tmp_path / "other")
    with pytest.raises(ToolError) as ambiguous:
        other.init(str(bare), None)
    assert ambiguous.value.code == "AI_CONFIG_BRANCH_AMBIGUOUS"
    assert "main, release" in ambiguous.value.message
    assert "--branch main" in ambiguous.value.suggestions[0]
    assert not other.initialised
    with pytest.raises(ToolError) as missing:
        other.init(str(bare), "trunk")
    assert missing.value.code == "AI_CONFIG_BRANCH_NOT_FOUND"
    other.init(str(bare), "release")
    assert other.read_lock().sources["base"].branch == "release"


class _Unauthorised(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def auth_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorised)
    thread = threading.Thread(target=functools.partial(server.serve_forever, 0.05), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/team/agents.git"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("url", "code", "advice"),
    [
        ("http://127.0.0.1:1/team.git", "AI_CONFIG_GIT_CONNECTION_REFUSED", "firewall"),
        ("https://library.invalid/team.git", "AI_CONFIG_GIT_HOST_NOT_FOUND", "typo"),
        ("MISSING", "AI_CONFIG_GIT_REPOSITORY_MOVED", "source set-url"),
        ("AUTH", "AI_CONFIG_GIT_AUTH_FAILED", "AI_CONFIG_GIT_TOKEN"),
    ],
)
def test_git_failures_are_classified_with_gits_whole_message(
    tmp_path: Path, auth_server: str, url: str, code: str, advice: str
) -> None:
    url = {"MISSING": str(tmp_path / "gone.git"), "AUTH": auth_server}.get(url, url)
    with pytest.raises(ToolError) as failed:
        Library(tmp_path / "home").init(url, None)
    assert failed.value.code == code
    assert failed.value.exit_code == 6
    assert "git said: " in failed.value.message
    assert advice in " ".join(failed.value.suggestions)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def ssh_server(tmp_path: Path, system_tool: Any) -> Iterator[tuple[int, Path]]:
    """A real sshd on 127.0.0.1 (its port, and the folder holding its host key)."""
    sshd = system_tool("sshd", package="openssh-server")
    keygen = system_tool("ssh-keygen", package="openssh-client")
    folder = tmp_path / "sshd"
    folder.mkdir()
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "host_key")], check=True
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    for _attempt in range(5):  # sshd takes no port 0: a free port, taken again if lost meanwhile
        port = _free_port()
        (folder / "sshd_config").write_text(
            f"ListenAddress 127.0.0.1:{port}\nHostKey {folder / 'host_key'}\n"
            f"PidFile {folder / 'sshd.pid'}\nStrictModes no\nUsePAM no\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        )
        server = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(folder / "sshd_config")],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert server.stderr is not None
        if "Server listening" in server.stderr.readline():
            break
        server.wait()
    else:
        pytest.fail("sshd did not start on a free port")
    try:
        yield port, folder
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_changed_host_key_and_a_refused_key_are_told_apart(
    tmp_path: Path,
    ssh_server: tuple[int, Path],
    system_tool: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, folder = ssh_server
    keygen = system_tool("ssh-keygen", package="openssh-client")
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True
    )
    known = tmp_path / "known_hosts"
    ssh = (
        f"ssh -F /dev/null -o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes"
        " -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityFile=/dev/null"
    )
    monkeypatch.setenv("GIT_SSH_COMMAND", ssh)
    url = f"ssh://git@127.0.0.1:{port}/team/agents.git"

    impostor = (tmp_path / "other.pub").read_text().split()
    known.write_text(f"[127.0.0.1]:{port} {impostor[0]} {impostor[1]}\n")
    with pytest.raises(ToolError) as changed:
        Library(tmp_path / "home").init(url, None)
    assert changed.value.code == "AI_CONFIG_GIT_HOST_KEY"
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in changed.value.message
    assert "ssh-keygen -R HOST" in changed.value.suggestions[0]

    real = (folder / "host_key.pub").read_text().split()
    known.write_text(f"[127.0.0.1]:{port} {real[0]} {real[1]}\n")
    with pytest.raises(ToolError) as refused:
        Library(tmp_path / "home").init(url, None)
    assert refused.value.code == "AI_CONFIG_GIT_AUTH_FAILED"
    assert "Permission denied (publickey" in refused.value.message
    assert "ssh-add" in refused.value.suggestions[0]


def test_failure_patterns_are_read_in_order() -> None:
    """An SSH failure always ends "Could not read from remote repository": the cause before it
    decides."""
    said = "Host key verification failed.\nfatal: Could not read from remote repository.\n"
    assert classify(said).code == "AI_CONFIG_GIT_HOST_KEY"
    assert classify("remote: Repository not found.").code == "AI_CONFIG_GIT_REPOSITORY_MOVED"
