"""What every package's tests share: the real system programs they run against, and Debian's
chromium driven by Playwright for the web UIs.

A test that needs one fails, naming the Debian package to install, instead of skipping: a skip
would let a machine without the program report green for a test that never ran.
"""

from __future__ import annotations

import ipaddress
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SystemTool = Callable[..., str]


def _find(*names: str, package: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
    pytest.fail(
        f"{names[0]} is not installed and this test runs against the real one: "
        f"apt-get install {package} (.ci/run installs it)",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def system_tool() -> SystemTool:
    """``system_tool("chromium", "chromium-browser", package="chromium")``: the first on PATH."""
    return _find


# Quiet, deterministic and runnable as root: no sandbox (root), no GPU, no background traffic.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium(system_tool: SystemTool) -> Iterator[Browser]:
    """Debian's chromium, headless, through Playwright's ``executable_path``: one per module."""
    from playwright.sync_api import sync_playwright

    executable = system_tool("chromium", "chromium-browser", package="chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def ip(*args: str, netns: str | None = None) -> str:
    argv = ["ip", *(["netns", "exec", netns, "ip"] if netns else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(argv)}` failed: {done.stderr.strip()} (network namespaces need root"
            " and iproute2: apt-get install iproute2)",
            pytrace=False,
        )
    return done.stdout


@dataclass
class NetworkLab:
    """Hosts as network namespaces on one bridge (the bridge holds the subnet's first address).

    Every name carries a random suffix, so tests running at once never share a namespace, a
    link or an address; leaving kills whatever still runs in a namespace, even after a failure.
    """

    suffix: str
    subnet: ipaddress.IPv4Network
    bridge: str
    namespaces: list[str] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)

    @property
    def gateway_ip(self) -> str:
        return str(self.subnet.network_address + 1)

    def add_host(self) -> str:
        """A namespace with loopback up and one address on the bridge; its name."""
        index = len(self.namespaces) + 1
        ns = f"lab-{self.suffix}-{index}"
        outside, inside = f"vh{self.suffix}{index}", f"vn{self.suffix}{index}"
        ip("netns", "add", ns)
        self.namespaces.append(ns)
        ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        ip("link", "set", inside, "netns", ns)
        ip("link", "set", outside, "master", self.bridge)
        ip("link", "set", outside, "up")
        address = self.subnet.network_address + 10 + index
        ip("addr", "add", f"{address}/{self.subnet.prefixlen}", "dev", inside, netns=ns)
        ip("link", "set", inside, "up", netns=ns)
        ip("link", "set", "lo", "up", netns=ns)
        self.addresses[ns] = str(address)
        return ns


def _free_subnet() -> ipaddress.IPv4Network:
    used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    while True:
        subnet = ipaddress.IPv4Network(f"10.250.{secrets.randbelow(250) + 1}.0/24")
        if f"10.250.{subnet.network_address.packed[2]}." not in used:
            return subnet


@contextmanager
def _network_lab() -> Iterator[NetworkLab]:
    suffix = secrets.token_hex(3)
    subnet = _free_subnet()
    made = NetworkLab(suffix, subnet, f"lb{suffix}")
    ip("link", "add", made.bridge, "type", "bridge")
    try:
        ip("addr", "add", f"{made.gateway_ip}/{subnet.prefixlen}", "dev", made.bridge)
        ip("link", "set", made.bridge, "up")
        yield made
    finally:
        for ns in made.namespaces:
            pids = subprocess.run(
                ["ip", "netns", "pids", ns], capture_output=True, text=True, check=False
            ).stdout.split()
            for pid in pids:
                subprocess.run(["kill", "-9", pid], check=False)
            subprocess.run(["ip", "netns", "del", ns], check=False)
        subprocess.run(["ip", "link", "del", made.bridge], check=False)


@pytest.fixture(scope="session")
def network_lab(system_tool: SystemTool) -> Callable[[], AbstractContextManager[NetworkLab]]:
    """``with network_lab() as lab: ns = lab.add_host()``: hosts of a fleet on one machine."""
    system_tool("ip", package="iproute2")
    return _network_lab
