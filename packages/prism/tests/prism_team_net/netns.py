"""Two hosts for the shared-daemon tests: network namespaces on a bridge, made and removed by
each test.

Every name carries a random suffix, so tests running at once never share a namespace, a link or
an address; removal kills whatever still runs in a namespace, even after a failed test.
"""

from __future__ import annotations

import ipaddress
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

__all__ = ["Hosts", "hosts"]


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
class Hosts:
    suffix: str
    subnet: ipaddress.IPv4Network
    bridge: str
    namespaces: list[str] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)

    def add(self) -> str:
        """A namespace with loopback up and one address on the bridge; its name."""
        index = len(self.namespaces) + 1
        ns = f"psm-{self.suffix}-{index}"
        outside, inside = f"ph{self.suffix}{index}", f"pn{self.suffix}{index}"
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
        third = secrets.randbelow(250) + 1
        if f"10.251.{third}." not in used:
            return ipaddress.IPv4Network(f"10.251.{third}.0/24")


@contextmanager
def hosts() -> Iterator[Hosts]:
    suffix = secrets.token_hex(3)
    made = Hosts(suffix, _free_subnet(), f"pb{suffix}")
    ip("link", "add", made.bridge, "type", "bridge")
    try:
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
