"""The README's "A first day in the sandbox", line by line, exactly as written there.

The commands are read from the README, so the walk-through a new user follows is the one tested:
each runs as a subprocess in a fresh state folder, prismd started on demand with the system
clock, the sandbox's AWS emulator as its own process. Nothing here moves time: the walk-through
has to work in real time, as a user runs it.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).parents[2] / "README.md"
HEADING = "### A first day in the sandbox"


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    block = section[section.index("```console\n") + len("```console\n") :]
    block = block[: block.index("```")]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


EXPECTED = [
    "prism launch ubuntu-server demo --hibernation",
    "prism idle policy create quick --idle 30m --action hibernate --warn 5m",
    "prism idle apply quick demo",
    "prism idle simulate demo --idle 40m",
    "prism list",
    "prism project create lab --budget 40 --period total --alert 50:notify:forecast"
    " --alert 80:notify --alert 100:prevent_launch",
    "prism launch ubuntu-server p1 --project lab",
    "prism project info lab",
    "prism launch ubuntu-server p2 --project lab",
    'prism snapshot create demo --name demo-base --note "before the upgrade"',
    "prism snapshot restore demo-base --as demo2",
    "prism storage create scratch --size 10G",
    "prism storage cleanup --dry-run",
    "prism storage cleanup",
    "prism cost",
]


class Walk:
    """Runs the README's lines in order, keeping every command's stderr (notices come there)."""

    def __init__(self, cli: Any, state: Path) -> None:
        self.cli = cli
        self.state = state
        self.lines = iter(readme_commands())
        self.stderr: list[str] = []

    def next(self, input: str | None = None) -> subprocess.CompletedProcess[str]:
        line = next(self.lines)
        args = shlex.split(line)
        assert args[0] == "prism", line
        result: subprocess.CompletedProcess[str] = self.cli.run(self.state, *args[1:], input=input)
        self.stderr.append(result.stderr)
        return result

    def json(self, *args: str) -> Any:
        """A look aside from the README's lines; its notices count as the user's."""
        result = self.cli.run(self.state, *args, "--output", "json")
        assert result.returncode == 0, result.stderr + result.stdout
        self.stderr.append(result.stderr)
        return json.loads(result.stdout)

    def notices(self) -> str:
        return "\n".join(self.stderr)


@pytest.fixture
def walk(prism: Any, tmp_path: Path) -> Iterator[Walk]:
    state = tmp_path / "state"
    try:
        yield Walk(prism, state)
    finally:
        prism.stop_daemon(state, sandbox=True)


def test_the_readme_lists_the_walk_through_this_test_follows() -> None:
    assert readme_commands() == EXPECTED


@pytest.mark.timeout(300)  # four launches and a dozen commands, each a process
def test_a_first_day_in_the_sandbox_as_the_readme_tells_it(walk: Walk) -> None:
    # 1. The launch states the default idle policy, and the agent can publish (its profile).
    launched = walk.next()
    assert launched.returncode == 0, launched.stderr
    assert (
        "Idle policy default: hibernate after 60 min idle, warning 5 min before."
        " Opt out: prism idle apply none demo" in launched.stdout
    )
    assert "could not make prism-workstation" not in launched.stdout
    assert walk.json("info", "demo")["workstation"]["idle"]["name"] == "default"

    # 2. A 30-minute policy, applied to demo.
    assert walk.next().returncode == 0
    applied = walk.next()
    assert applied.returncode == 0, applied.stderr
    assert "demo now has idle policy quick" in applied.stdout

    # 3. Forty idle minutes of samples: the warning at 25, then the hibernation.
    simulated = walk.next()
    assert simulated.returncode == 0, simulated.stderr
    assert "demo (simulated): idle 40 min; warned at" in simulated.stdout
    assert "hibernated by idle policy quick after 40 min idle" in simulated.stdout
    shown = walk.json("info", "demo")["workstation"]
    assert shown["state"] == "hibernated"
    assert shown["state_reason"]["text"] == "hibernated by idle policy quick after 40 min idle"
    assert shown["state_reason"]["by"] == "idle-policy"

    # 4. The list shows it hibernated, and why; the warning came as a notice.
    listed = walk.next()
    row = next(line for line in listed.stdout.splitlines() if line.startswith("│ demo"))
    assert "hibernated" in row
    assert "hibernated by idle policy quick after 40 min idle" in listed.stdout
    assert re.search(
        r"prism notice \(\d\d:\d\d UTC\): demo has been idle 25 min: idle policy quick will"
        r" hibernate it at \d\d:\d\d UTC unless it is used\.",
        walk.notices(),
    ), walk.notices()

    # 5-6. A project with a budget; p1 puts it on course past 50%: the forecast alert.
    created = walk.next()
    assert created.returncode == 0, created.stderr
    assert "50% forecast: notify, 80%: notify, 100%: prevent_launch" in created.stdout
    p1 = walk.next()
    assert p1.returncode == 0, p1.stderr
    info = walk.next()
    assert info.returncode == 0, info.stderr
    assert re.search(
        r"50% forecast crossed \(heading for \$31\.5\d of \$40\.00\): notified", info.stdout
    ), info.stdout
    assert "burning $0.0438/h" in info.stdout
    assert "runs out" in info.stdout
    assert "Project lab is heading for $31.5" in walk.notices()
    [alert] = walk.json("project", "info", "lab")["project"]["alerts"]
    assert (alert["percent"], alert["on"], alert["outcome"]) == (50.0, "forecast", "notified")

    # 7. p2 is refused, with the figures.
    refused = walk.next()
    assert refused.returncode == 4
    message = " ".join(refused.stderr.replace("│", " ").split())
    assert "PRISM_BUDGET_PREVENTS_LAUNCH" in message
    assert "Launch refused. Project lab has spent $0.0" in message
    assert "with what runs now ($0.0438/h) and p2 (t3.medium, $0.0438/h with its disk)" in message
    assert "(720 h) it would reach $63.0" in message
    assert "past its prevent_launch threshold at 100% ($40.00)" in message
    names = [w["name"] for w in walk.json("list")["workstations"]]
    assert "p2" not in names

    # 8. A snapshot of demo, restored as demo2.
    taken = walk.next()
    assert taken.returncode == 0, taken.stderr
    assert "Snapshot demo-base of demo: /dev/sda1 20 GiB" in taken.stdout
    [snap] = walk.json("snapshot", "list")["snapshots"]
    assert (snap["name"], snap["note"], snap["template"]) == (
        "demo-base",
        "before the upgrade",
        "ubuntu-server",
    )
    restored = walk.next()
    assert restored.returncode == 0, restored.stderr
    assert "demo2 is running" in restored.stdout
    assert walk.json("info", "demo2")["workstation"]["restored_from"] == "demo-base"

    # 9. An unattached disk: listed with its cost, then deleted after a yes.
    assert walk.next().returncode == 0
    dry = walk.next()
    assert dry.returncode == 0, dry.stderr
    row = next(line for line in dry.stdout.splitlines() if "scratch" in line)
    assert "unattached" in row and "0.80" in row
    assert "scratch" in [d["name"] for d in walk.json("storage", "list")["disks"]]
    cleaned = walk.next(input="y\n")
    assert cleaned.returncode == 0, cleaned.stderr
    assert "Delete it and its data (saves $0.80 a month)? [y/N]" in cleaned.stderr
    assert "scratch" in cleaned.stdout
    assert "scratch" not in [d["name"] for d in walk.json("storage", "list")["disks"]]

    # 10. The cost counts the snapshot beside the workstations.
    cost = walk.next()
    assert cost.returncode == 0, cost.stderr
    assert "demo-base" in cost.stdout
    kinds = {(c["name"], c["kind"]) for c in walk.json("cost")["costs"]}
    assert {("demo", "workstation"), ("p1", "workstation"), ("demo2", "workstation")} <= kinds
    assert ("demo-base", "snapshot") in kinds
    assert next(walk.lines, None) is None  # every line of the README ran
