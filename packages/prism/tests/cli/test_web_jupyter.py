"""`prism web NAME jupyter` on a workstation of moto's EC2 (not the sandbox: it has an address,
but no machine answers there): the URL carries the token once it is known, the token is kept in
a file only the user reads and goes when the workstation is deleted, and each way it cannot work
is a clear problem document. Reading the token over SSH and the tunnel itself are tested against
a real sshd in tests/connect/test_web_tunnel.py.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = """\
name: Notebook
slug: notebook
base: ubuntu-24.04
connection_type: web
ports: [8888]
packages:
  pip: [jupyterlab]
services:
  - name: jupyter
    port: 8888
"""


@pytest.fixture
def state(tmp_path: Path, prism: Any, lab: Any) -> Iterator[Path]:
    yield tmp_path / "state"
    prism.stop_daemon(tmp_path / "state", lab.env)


@pytest.fixture
def notebook(prism: Any, lab: Any, state: Path) -> dict[str, Any]:
    lab.use_profile(prism, state)
    (state / "templates").mkdir()
    (state / "templates" / "notebook.yml").write_text(NOTEBOOK)
    ws: dict[str, Any] = prism.json(state, "launch", "notebook", "nb", env=lab.env)["workstation"]
    assert ws["service_urls"]["jupyter"] == "http://{local}/lab?token={token}"
    return ws


def _problem(prism: Any, state: Path, env: dict[str, str], *args: str) -> tuple[int, Any]:
    done = prism.run(state, "web", *args, "--output", "json", env=env)
    import json

    return done.returncode, json.loads(done.stdout)


def test_a_known_token_is_filled_into_the_url_and_goes_with_the_workstation(
    prism: Any, lab: Any, state: Path, notebook: dict[str, Any]
) -> None:
    tokens = state / "web-tokens"
    kept = tokens / f"nb--{notebook['instance_id']}--jupyter--{notebook['login_user']}"
    tokens.mkdir(mode=0o700)
    kept.write_text("a1b2c3\n")
    kept.chmod(0o600)

    tunnel = prism.json(state, "web", "nb", "jupyter", env=lab.env)["tunnel"]
    port = tunnel["local_port"]
    assert tunnel["url"] == f"http://127.0.0.1:{port}/lab?token=a1b2c3"
    assert tunnel["token"] is True
    assert tunnel["command"][-3:] == [
        "-L",
        f"127.0.0.1:{port}:localhost:8888",
        f"{notebook['login_user']}@{notebook['public_ip']}",
    ]
    assert ["-i", notebook["key_file"]] == tunnel["command"][1:3]

    printed = prism.run(state, "web", "nb", "--print", env=lab.env)
    assert printed.returncode == 0, printed.stderr
    assert "/lab?token=a1b2c3" in printed.stdout.splitlines()[-1]

    deleted = prism.run(state, "delete", "nb", "--yes", env=lab.env)
    assert deleted.returncode == 0, deleted.stderr
    assert not kept.exists()


def test_each_way_it_cannot_work_is_a_clear_problem(
    prism: Any, lab: Any, state: Path, notebook: dict[str, Any], tmp_path: Path
) -> None:
    no_ssh = {**lab.env, "PATH": str(tmp_path / "empty-bin")}
    code, problem = _problem(prism, state, no_ssh, "nb", "jupyter")
    assert (code, problem["code"]) == (6, "PRISM_SSH_MISSING")
    assert "openssh-client" in problem["suggestions"][0]

    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        code, problem = _problem(prism, state, lab.env, "nb", "jupyter", "--port", str(busy))
    assert (code, problem["code"]) == (4, "PRISM_TUNNEL_PORT_BUSY")
    assert "Leave --port out" in problem["suggestions"][0]

    code, problem = _problem(prism, state, lab.env, "nb", "jupyterhub")
    assert (code, problem["code"]) == (3, "PRISM_WEB_SERVICE_UNKNOWN")
    assert problem["suggestions"] == ["Its services: jupyter"]

    plain = prism.run(state, "launch", "ubuntu-server", "plain", "--output", "json", env=lab.env)
    assert plain.returncode == 0, plain.stderr
    code, problem = _problem(prism, state, lab.env, "plain", "jupyter")
    assert (code, problem["code"]) == (3, "PRISM_NO_WEB_SERVICE")
    assert "python-ml-workstation" in problem["suggestions"][1]

    stopped = prism.run(state, "stop", "nb", env=lab.env)
    assert stopped.returncode == 0, stopped.stderr
    code, problem = _problem(prism, state, lab.env, "nb", "jupyter")
    assert (code, problem["code"]) == (4, "PRISM_WORKSTATION_NOT_RUNNING")
    assert problem["suggestions"] == ["Start it: prism start nb"]


def test_a_token_read_is_kept_in_a_file_only_the_user_reads(tmp_path: Path) -> None:
    from prism.connect.webtoken import TokenKey, cached_token, store_token

    folder = tmp_path / "web-tokens"
    key = TokenKey("nb", "i-0abc", "jupyter", "ubuntu")
    store_token(folder, key, "a1b2c3")
    assert cached_token(folder, key) == "a1b2c3"
    assert cached_token(folder, TokenKey("nb", "i-0new", "jupyter", "ubuntu")) is None
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.file(folder).stat().st_mode) == 0o600
    assert os.listdir(folder) == ["nb--i-0abc--jupyter--ubuntu"]
