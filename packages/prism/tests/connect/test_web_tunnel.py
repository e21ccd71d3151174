"""`prism web`'s tunnel and token against a real OpenSSH server on loopback standing in for the
workstation: the token read over SSH (root's file for a Jupyter server, the user's own file for
JupyterHub), and a Jupyter-like server reached through the ssh -L tunnel prism builds, which
answers only when the URL carries the token.
"""

from __future__ import annotations

import http.server
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from groundwork.errors import ToolError
from prism.connect.webtoken import (
    HUB_TOKEN_FILE,
    fetch_token,
    fill_url,
    remote_token_command,
    tunnel_command,
)
from prism.templates.model import Service
from prism.templates.services import HUB_URL, service_lines, service_url, token_file

JUPYTER_URL = "http://{local}/lab?token={token}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _until(what: str, ready: Any, seconds: float = 20) -> None:
    """Poll until ``ready()`` is true (a port answers); fails naming what never came."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not come up within {seconds} s")
        time.sleep(0.05)


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Workstation:
    """A real sshd on loopback, root's login allowed with a key made for the test."""

    port: int
    folder: Path
    key: Path

    def authorize(self, user: str) -> None:
        keys = self.folder / "authorized_keys"
        keys.mkdir(mode=0o755, exist_ok=True)
        (keys / user).write_text(Path(f"{self.key}.pub").read_text())
        (keys / user).chmod(0o644)

    def ssh(self, user: str) -> list[str]:
        """prism's ssh command line for the workstation (plus this server's port)."""
        return [
            "ssh",
            "-i",
            str(self.key),
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            f"UserKnownHostsFile={self.folder / 'known_hosts'}",
            "-o",
            "ServerAliveInterval=30",
            "-p",
            str(self.port),
            f"{user}@127.0.0.1",
        ]


@pytest.fixture
def workstation(tmp_path: Path, system_tool: Any) -> Iterator[Workstation]:
    sshd = system_tool("sshd", package="openssh-server")
    system_tool("ssh", package="openssh-client")
    keygen = system_tool("ssh-keygen", package="openssh-client")
    if os.geteuid() != 0:
        pytest.fail("a real sshd that logs users in needs root: run this suite as root")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    # Outside pytest's 0700 folders: sshd reads a user's keys as that user.
    folder = Path(tempfile.mkdtemp(prefix="prism-web-sshd-"))
    folder.chmod(0o755)
    for name in ("host", "client"):
        subprocess.run(
            [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True
        )
    port = _free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\n"
        f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile {folder}/authorized_keys/%u\n"
        "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        "AllowTcpForwarding yes\n"
    )
    server = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(folder / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "sshd.log").open("w"),
    )
    try:
        _until("sshd", lambda: _answers(port) or server.poll() is not None)
        assert server.poll() is None, (folder / "sshd.log").read_text()
        station = Workstation(port, folder, folder / "client")
        station.authorize("root")
        yield station
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder)


@pytest.fixture
def research_user(workstation: Workstation) -> Iterator[str]:
    """A throwaway local account, as prism makes research users on a workstation."""
    name = f"pw{secrets.token_hex(4)}"
    home = workstation.folder / "home" / name
    subprocess.run(
        ["useradd", "-M", "-p", "*", "-d", str(home), "-s", "/bin/bash", name],
        check=True,
    )
    try:
        home.mkdir(parents=True)
        shutil.chown(home, name, name)
        home.chmod(0o700)
        yield name
    finally:
        subprocess.run(["userdel", name], check=False)


class _Jupyter(http.server.BaseHTTPRequestHandler):
    """Answers like a notebook server: the page with the right token, 403 without it."""

    token = ""

    def do_GET(self) -> None:
        allowed = self.path == f"/lab?token={self.token}"
        body = b"JupyterLab" if allowed else b"Forbidden"
        self.send_response(200 if allowed else 403)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_jupyter_token_is_read_over_ssh_and_opens_the_notebook_through_the_tunnel(
    workstation: Workstation, tmp_path: Path
) -> None:
    token = secrets.token_hex(24)
    tokens = tmp_path / "etc-prism-tokens"
    tokens.mkdir(mode=0o700)
    (tokens / "jupyter.env").write_text(f"JUPYTER_TOKEN={token}\n")
    remote = remote_token_command(JUPYTER_URL, token_file("jupyter", folder=str(tokens)))
    assert fetch_token(workstation.ssh("root"), remote, "demo") == token

    handler = type("Jupyter", (_Jupyter,), {"token": token})
    notebook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=notebook.serve_forever, daemon=True).start()
    local = _free_port()
    command = tunnel_command(workstation.ssh("root"), local, notebook.server_address[1])
    tunnel = subprocess.Popen([*command[:-1], "-o", "BatchMode=yes", command[-1]])
    try:
        _until("the tunnel", lambda: _answers(local) or tunnel.poll() is not None)
        assert tunnel.poll() is None, "ssh -L exited"
        url = fill_url(JUPYTER_URL, local=f"127.0.0.1:{local}", token=token, user="root")
        assert url == f"http://127.0.0.1:{local}/lab?token={token}"
        assert _get(url) == (200, "JupyterLab")
        assert _get(f"http://127.0.0.1:{local}/lab")[0] == 403
    finally:
        tunnel.terminate()
        tunnel.wait()
        notebook.shutdown()


def test_a_hub_users_token_is_their_own_made_once_and_only_they_read_it(
    workstation: Workstation, research_user: str
) -> None:
    workstation.authorize(research_user)
    remote = remote_token_command(HUB_URL, token_file("jupyterhub"))
    first = fetch_token(workstation.ssh(research_user), remote, "hub")
    again = fetch_token(workstation.ssh(research_user), remote, "hub")
    assert first == again
    assert len(first) == 48
    account = pwd.getpwnam(research_user)
    path = Path(account.pw_dir) / HUB_TOKEN_FILE
    assert path.read_text() == first
    info = path.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (account.pw_uid, 0o600)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    url = fill_url(HUB_URL, local="127.0.0.1:8000", token=first, user=research_user)
    assert url == (
        f"http://127.0.0.1:8000/hub/login?next=%2Fhub%2F&prism_user={research_user}&prism_token={first}"
    )


def test_a_missing_token_file_is_a_clear_error(workstation: Workstation, tmp_path: Path) -> None:
    remote = remote_token_command(JUPYTER_URL, str(tmp_path / "nothing-here.env"))
    with pytest.raises(ToolError) as failed:
        fetch_token(workstation.ssh("root"), remote, "demo")
    assert failed.value.code == "PRISM_WEB_TOKEN_UNREADABLE"
    assert "No such file or directory" in failed.value.message
    assert "prism connect demo" in failed.value.suggestions[0]


def test_the_setup_script_makes_the_token_once_in_a_root_only_file(tmp_path: Path) -> None:
    jupyter = Service(name="jupyter", port=8888)
    lines = service_lines(jupyter, "researcher", conda=True)
    unit = lines[lines.index("[Service]") :]
    assert "EnvironmentFile=/etc/prism/tokens/jupyter.env" in unit
    assert service_url(jupyter) == JUPYTER_URL
    given = Service(name="jupyter", port=8888, config=["c.ServerApp.token = 'lab-token'"])
    assert service_url(given) == "http://{local}/lab?token=lab-token"
    made = [line for line in lines[: lines.index("mkdir -p /etc/prism/jupyter")]]
    script = "\n".join(made).replace("/etc/prism/tokens", str(tmp_path / "tokens"))
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], check=True)
    env = tmp_path / "tokens" / "jupyter.env"
    first = env.read_text()
    assert first.startswith("JUPYTER_TOKEN=") and len(first.strip()) == len("JUPYTER_TOKEN=") + 48
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert stat.S_IMODE(env.parent.stat().st_mode) == 0o700
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], check=True)
    assert env.read_text() == first
