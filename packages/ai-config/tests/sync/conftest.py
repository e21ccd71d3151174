"""Syncthing instances for tests, each in its own home, on loopback only; ``pair`` is two of
them sharing one folder.

Each instance's config is written before it starts, so it never looks beyond 127.0.0.1: no
global or local discovery, no relays, no NAT traversal or STUN, no usage or crash reports, no
upgrades. Devices are introduced by ID and address, and folders added, through its REST API (on
127.0.0.1, with an API key). Scans are asked for, not waited for.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FOLDER = "ai-config-team"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``check`` until it returns something truthy (the moment observed, not guessed)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


_OPTIONS = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "startBrowser": "false",
    "urAccepted": "-1",
    "autoUpgradeIntervalH": "0",
    "crashReportingEnabled": "false",
    "stunKeepaliveStartS": "0",
    "announceLANAddresses": "false",
    "restartOnWakeup": "false",
    "reconnectionIntervalS": "1",  # the devices meet again at once after a pause
}


class Syncthing:
    def __init__(self, binary: str, home: Path, name: str) -> None:
        self.binary = binary
        self.home = home
        self.name = name
        self.key = secrets.token_hex(16)
        self.gui_port = free_port()
        self.sync_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        done = subprocess.run(
            [binary, "generate", f"--home={home}", "--no-default-folder", "--skip-port-probing"],
            capture_output=True,
            text=True,
            check=True,
            env=self._env(),
        )
        found = re.search(r"Device ID: ([A-Z0-9-]{63})", done.stdout + done.stderr)
        assert found, done.stdout + done.stderr
        self.device_id = found.group(1)
        self._configure()

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "STNOUPGRADE": "1",
            "STNORESTART": "1",
            "STNODEFAULTFOLDER": "1",
            "HOME": str(self.home),
        }

    def _configure(self) -> None:
        config = self.home / "config.xml"
        tree = ET.parse(config)
        root = tree.getroot()
        gui = root.find("gui")
        assert gui is not None
        gui.find("address").text = f"127.0.0.1:{self.gui_port}"  # type: ignore[union-attr]
        gui.find("apikey").text = self.key  # type: ignore[union-attr]
        options = root.find("options")
        assert options is not None
        for name, value in _OPTIONS.items():
            element = options.find(name)
            if element is None:
                element = ET.SubElement(options, name)
            element.text = value
        for element in options.findall("listenAddress"):
            options.remove(element)
        for element in options.findall("globalAnnounceServer"):
            options.remove(element)
        ET.SubElement(options, "listenAddress").text = f"tcp://127.0.0.1:{self.sync_port}"
        tree.write(config)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.sync_port}"

    def start(self) -> None:
        log = (self.home / "syncthing.log").open("wb")
        self.process = subprocess.Popen(
            [
                self.binary,
                "serve",
                f"--home={self.home}",
                "--no-browser",
                "--no-restart",
                "--no-upgrade",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self._env(),
        )
        _wait_for(f"{self.name}'s REST API", self._answers, timeout=30)

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"syncthing {self.name} exited: {(self.home / 'syncthing.log').read_text()}"
            )
        try:
            return bool(self.rest("GET", "/rest/system/ping"))
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.rest("POST", "/rest/system/shutdown")
            self.process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def rest(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}",
            data=data,
            method=method,
            headers={"X-API-Key": self.key, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            text = reply.read()
        return json.loads(text) if text.strip() else {}

    def introduce(self, other: Syncthing) -> None:
        self.rest(
            "POST",
            "/rest/config/devices",
            {
                "deviceID": other.device_id,
                "name": other.name,
                "addresses": [other.address],
                "autoAcceptFolders": False,
            },
        )

    def share(self, folder: Path, other: Syncthing) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.rest(
            "POST",
            "/rest/config/folders",
            {
                "id": FOLDER,
                "label": "ai-config team",
                "path": str(folder),
                "type": "sendreceive",
                "devices": [{"deviceID": self.device_id}, {"deviceID": other.device_id}],
                "rescanIntervalS": 3600,
                "fsWatcherEnabled": False,
            },
        )

    def connected_to(self, other: Syncthing) -> bool:
        connections = self.rest("GET", "/rest/system/connections")["connections"]
        return bool(connections.get(other.device_id, {}).get("connected"))

    def scan(self) -> None:
        self.rest("POST", f"/rest/db/scan?folder={FOLDER}")

    def pause(self, other: Syncthing) -> None:
        self.rest("POST", f"/rest/system/pause?device={other.device_id}")

    def resume(self, other: Syncthing) -> None:
        self.rest("POST", f"/rest/system/resume?device={other.device_id}")

    def idle(self) -> bool:
        """Scanned, and nothing left to pull from the other side."""
        status = self.rest("GET", f"/rest/db/status?folder={FOLDER}")
        return status["state"] == "idle" and status["needTotalItems"] == 0


@pytest.fixture(name="wait_for")
def wait_for_fixture() -> Callable[..., Any]:
    """``wait_for(what, check, timeout=60)``: poll until ``check`` holds."""
    return _wait_for


@pytest.fixture
def pair(tmp_path: Path, system_tool: Any) -> Iterator[tuple[Syncthing, Syncthing]]:
    binary = system_tool("syncthing", package="syncthing")
    laptop = Syncthing(binary, tmp_path / "st-laptop", "laptop")
    desktop = Syncthing(binary, tmp_path / "st-desktop", "desktop")
    try:
        laptop.start()
        desktop.start()
        laptop.introduce(desktop)
        desktop.introduce(laptop)
        laptop.share(tmp_path / "laptop-sync", desktop)
        desktop.share(tmp_path / "desktop-sync", laptop)
        _wait_for("the two devices to connect", lambda: laptop.connected_to(desktop))
        yield laptop, desktop
    finally:
        laptop.stop()
        desktop.stop()
