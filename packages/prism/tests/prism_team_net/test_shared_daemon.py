"""prismd shared with a team: `daemon start --listen ADDR` on a non-loopback address inside one
network namespace, over TLS with a generated certificate (or one given), and a member's CLI in
another namespace that joins with the printed fingerprint and then works through it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(300)


class Host:
    """prism run inside one namespace, with its own state folder."""

    def __init__(self, ns: str, state: Path, user: str) -> None:
        self.ns = ns
        self.state = state
        self.user = user

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PRISM_STATE_DIR": str(self.state),
            "PRISM_DAEMON_PORT": "0",
            "PRISM_USER": self.user,
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
        return subprocess.run(
            ["ip", "netns", "exec", self.ns, sys.executable, "-m", "prism", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def json(self, *args: str) -> Any:
        result = self.run(*args, "-o", "json")
        assert result.returncode == 0, result.stderr + result.stdout
        return json.loads(result.stdout)


@pytest.fixture
def lab(tmp_path: Path, network_lab: Any) -> Iterator[tuple[Any, Host, Host]]:
    with network_lab() as made:
        server, client = made.add_host(), made.add_host()
        alice = Host(server, tmp_path / "alice", "alice")
        bob = Host(client, tmp_path / "bob", "bob")
        try:
            yield made, alice, bob
        finally:
            alice.run("daemon", "stop", "--sandbox")


def _invite(alice: Host, user: str) -> str:
    alice.json("user", "create", user)
    return str(
        alice.json("team", "invite", user, "--role", "member", "--project", "lab")["invitation"][
            "join_command"
        ]
    )


def test_a_shared_prismd_speaks_tls_to_a_member_in_another_namespace(
    lab: tuple[Any, Host, Host],
) -> None:
    made, alice, bob = lab
    address = made.addresses[alice.ns]
    started = alice.json("daemon", "start", "--listen", address)["daemon"]
    url, fingerprint = started["url"], started["tls_fingerprint"]
    assert re.fullmatch(rf"https://{re.escape(address)}:\d+", url)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", fingerprint)
    shown = alice.run("daemon", "status")
    assert f"TLS certificate fingerprint: {fingerprint}" in shown.stdout

    alice.json("project", "create", "lab")
    command = _invite(alice, "bob")
    assert command.startswith(f"prism team join {url} --ticket ")
    assert command.endswith(f" --fingerprint {fingerprint}")

    # From the other namespace: plain HTTP is not spoken, a wrong pin is refused.
    plain = bob.run("team", "join", url.replace("https:", "http:"), "--ticket", "x", "-o", "json")
    assert json.loads(plain.stdout)["code"] == "PRISM_JOIN_URL_INVALID"
    ticket = command.split("--ticket ")[1].split()[0]
    wrong = bob.run(
        "team", "join", url, "--ticket", ticket, "--fingerprint", "sha256:" + "0" * 64, "-o", "json"
    )
    assert wrong.returncode == 5
    assert json.loads(wrong.stdout)["code"] == "PRISM_TLS_FINGERPRINT_MISMATCH"

    joined = bob.json(*command.split()[1:])
    assert (joined["user"], joined["url"], joined["fingerprint"]) == ("bob", url, fingerprint)
    assert bob.json("list") == {"workstations": []}
    shared = bob.json("daemon", "status")["daemon"]
    assert (shared["url"], shared["tls_fingerprint"]) == (url, fingerprint)
    stop = bob.run("daemon", "stop", "-o", "json")
    assert (stop.returncode, json.loads(stop.stdout)["code"]) == (5, "PRISM_DAEMON_SHARED")
    launched = bob.json("launch", "ubuntu-server", "shared", "--project", "lab", "--no-idle")
    assert launched["workstation"]["state"] == "running"
    assert not (bob.state / "prismd.json").exists()  # bob's CLI started no daemon of its own
    entries = alice.json("audit", "--project", "lab")["entries"]
    launch = next(e for e in entries if e["action"] == "workstation.launch")
    assert launch["who"] == "bob"
    assert launch["source"].startswith(f"{made.addresses[bob.ns]}:")


def test_a_given_certificate_is_served_and_a_wildcard_refused(
    lab: tuple[Any, Host, Host], tmp_path: Path
) -> None:
    made, alice, bob = lab
    wildcard = alice.run("daemon", "start", "--listen", "0.0.0.0", "-o", "json")
    assert wildcard.returncode == 2
    assert json.loads(wildcard.stdout)["code"] == "PRISM_LISTEN_ADDRESS_WILDCARD"

    address = made.addresses[alice.ns]
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=lab prismd",
            "-addext",
            f"subjectAltName=IP:{address}",
        ],
        check=True,
        capture_output=True,
    )
    expected = "sha256:" + hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert.read_text())).hexdigest()
    started = alice.json(
        "daemon", "start", "--listen", address, "--tls-cert", str(cert), "--tls-key", str(key)
    )["daemon"]
    assert started["tls_fingerprint"] == expected
    alice.json("project", "create", "lab")
    command = _invite(alice, "bob")
    assert bob.json(*command.split()[1:])["fingerprint"] == expected
    # The token alone is not enough without the right certificate: a client trusting nothing
    # else (the system's authorities) refuses the connection.
    token = json.loads((bob.state / "remote.json").read_text())["token"]
    probe = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            bob.ns,
            sys.executable,
            "-c",
            "import httpx,sys; httpx.get(sys.argv[1], headers={'Authorization': 'Bearer '"
            " + sys.argv[2]})",
            started["url"] + "/api/v1/status",
            token,
        ],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in probe.stderr
