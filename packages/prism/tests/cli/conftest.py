"""The CLI as a user runs it: a subprocess with its own state folder, its daemon started on
demand, AWS played by moto's server over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

DENY_RUN = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"},
    ],
}


class Cli:
    """Runs ``prism`` as a subprocess with its own state folder, as a user would."""

    def env(self, state: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {
            **os.environ,
            "PRISM_STATE_DIR": str(state),
            "PRISM_DAEMON_PORT": "0",
            "NO_COLOR": "1",
            "COLUMNS": "200",
            **(extra or {}),
        }

    def run(
        self,
        state: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "prism", *args],
            env=self.env(state, env),
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
        )

    def start(
        self, state: Path, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """A command left running, to act on while it works."""
        return subprocess.Popen(
            [sys.executable, "-m", "prism", *args],
            env=self.env(state, env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def json(self, state: Path, *args: str, env: Mapping[str, str] | None = None) -> Any:
        """The one JSON document a command that succeeded printed (json.loads refuses two)."""
        result = self.run(state, *args, "--output", "json", env=env)
        assert result.returncode == 0, result.stderr + result.stdout
        return json.loads(result.stdout)

    def stop_daemon(
        self, state: Path, env: Mapping[str, str] | None = None, *, sandbox: bool = False
    ) -> None:
        self.run(state, "daemon", "stop", *(["--sandbox"] if sandbox else []), env=env)


@pytest.fixture(scope="session")
def prism() -> Cli:
    return Cli()


@dataclass
class Lab:
    """An AWS account played by moto's server, with two profiles in ~/.aws files: ``lab`` may do
    anything, ``student`` may not RunInstances. The lab publishes its images under /lab/amis.
    """

    url: str
    env: dict[str, str]

    def client(self, service: str, **creds: str) -> Any:
        admin = {"aws_access_key_id": "admin", "aws_secret_access_key": "admin"}
        return boto3.client(
            service, endpoint_url=self.url, region_name="eu-west-1", **(creds or admin)
        )

    def tagged(self, name: str) -> list[dict[str, Any]]:
        """Instances prism tagged for a workstation, terminated ones left out."""
        found = self.client("ec2").describe_instances(
            Filters=[{"Name": "tag:prism:workspace", "Values": [name]}]
        )
        return [
            i
            for r in found["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] != "terminated"
        ]

    def use_profile(self, cli: Cli, state: Path, name: str = "lab", **env: str) -> None:
        added = cli.run(
            state,
            "profiles",
            "add",
            name,
            "--region",
            "eu-west-1",
            "--image-parameter-prefix",
            "/lab/amis",
            "--use",
            env={**self.env, **env},
        )
        assert added.returncode == 0, added.stderr


@pytest.fixture(scope="session")
def lab(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Lab:
    folder = tmp_path_factory.mktemp("aws")
    account = Lab(
        moto_url,
        {
            "AWS_CONFIG_FILE": str(folder / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
            "AWS_ENDPOINT_URL": moto_url,
        },
    )
    image = account.client("ec2").register_image(
        Name="lab-ubuntu-24.04", RootDeviceName="/dev/sda1"
    )
    account.client("ssm").put_parameter(
        Name="/lab/amis/ubuntu-24.04/x86_64", Value=image["ImageId"], Type="String"
    )
    iam = account.client("iam")
    iam.create_user(UserName="student")
    iam.put_user_policy(
        UserName="student", PolicyName="no-launch", PolicyDocument=json.dumps(DENY_RUN)
    )
    key = iam.create_access_key(UserName="student")["AccessKey"]
    (folder / "credentials").write_text(
        "[lab]\naws_access_key_id = admin\naws_secret_access_key = admin\n"
        f"[student]\naws_access_key_id = {key['AccessKeyId']}\n"
        f"aws_secret_access_key = {key['SecretAccessKey']}\n"
    )
    (folder / "config").write_text(
        "[profile lab]\nregion = eu-west-1\n[profile student]\nregion = eu-west-1\n"
    )
    return account


@dataclass
class Hold:
    """One AWS action held at the proxy: ``reached`` is set when the daemon's call arrives
    (``before``: not yet sent on to moto; ``after``: moto has answered, the daemon not yet told).
    """

    action: str
    when: str
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    drop: bool = False

    def release(self, *, drop: bool = False) -> None:
        """Let the call go on; ``drop`` closes it instead, so moto never sees it."""
        self.drop = drop
        self.released.set()


class HoldingProxy:
    """An HTTP proxy between prismd and moto that can hold one AWS action: the point at which a
    test kills or freezes the daemon, observed instead of guessed.
    """

    def __init__(self, target: str) -> None:
        self.target = urlsplit(target)
        self.hold: Hold | None = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                proxy.handle(self)

            def do_GET(self) -> None:
                proxy.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold_action(self, action: str, *, when: str) -> Hold:
        self.hold = Hold(action, when)
        return self.hold

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        hold = self.hold
        held = hold is not None and f"Action={hold.action}".encode() in body
        if held and hold is not None and hold.when == "before":
            hold.reached.set()
            hold.released.wait()
            if hold.drop:
                request.close_connection = True
                return
        status, headers, reply = self._forward(request, body)
        if held and hold is not None and hold.when == "after":
            hold.reached.set()
            hold.released.wait()
        try:
            request.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    request.send_header(name, value)
            request.send_header("Content-Length", str(len(reply)))
            request.end_headers()
            request.wfile.write(reply)
        except OSError:
            request.close_connection = True  # the daemon is gone: nobody to answer

    def _forward(
        self, request: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=60)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() != "connection"}
            connection.request(request.command, request.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def close(self) -> None:
        if self.hold is not None:
            self.hold.release(drop=True)
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(lab: Lab) -> Iterator[HoldingProxy]:
    held = HoldingProxy(lab.url)
    yield held
    held.close()


@pytest.fixture(scope="session")
def sandbox(prism: Cli, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state folder on the sandbox profile, shared by the tests that launch there (each uses
    its own workstation names); its daemon and emulator are stopped at the end.
    """
    folder = tmp_path_factory.mktemp("sandbox")
    yield folder
    prism.stop_daemon(folder, sandbox=True)


@dataclass
class ClockedSandbox:
    """A sandbox prismd serving the CLI, on a clock the test moves (budgets, idle deadlines)."""

    state: Path
    clock: Any
    engine: Any
    cli: Cli

    def run(self, *args: str, input: str | None = None) -> Any:
        return self.cli.run(self.state, *args, input=input)

    def json(self, *args: str) -> Any:
        return self.cli.json(self.state, *args)

    def problem(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.run(*args, "--output", "json")
        return result.returncode, json.loads(result.stdout)

    def client(self, service: str) -> Any:
        return self.engine.session().client(service)


@pytest.fixture(scope="module")
def clocked(prism: Cli, clocked_prismd: Any) -> ClockedSandbox:
    """One per test module (as its daemon): its tests follow each other through one simulated
    day."""
    d = clocked_prismd
    return ClockedSandbox(d.state, d.clock, d.engine, prism)
