"""The two rows of the containment table that a root CI machine with cgroup v1 does not take:
a user who is not root (RLIMIT_NPROC and RLIMIT_DATA, processes known by the run's id in their
environment), and root where no cgroup hierarchy is writable (runs refused unless asked for).

The first runs the cell as uid 65534 (nobody) on the real kernel; the second hides the cgroup
hierarchy in a private mount namespace (util-linux's unshare) and runs `peragus run` as root.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_containment import FORK_200, cell, leftovers
from .unprivileged import hand_over, namespace_command, shared_folder

HELPER = Path(__file__).with_name("unprivileged_run.py")


@pytest.fixture
def folder() -> Iterator[Path]:
    assert os.geteuid() == 0, "these tests start as root (CI's case) and drop to nobody"
    with shared_folder() as made:
        yield made


def run_unprivileged(
    system_tool: Any, folder: Path, source: str, max_tasks: int, memory_mb: int
) -> dict[str, Any]:
    notebook = cell(folder / "notebook", source)
    hand_over(folder)
    command = [sys.executable, str(HELPER), str(notebook), str(max_tasks), str(memory_mb)]
    done = subprocess.run(
        namespace_command(system_tool, folder, command),
        env={**os.environ, "HOME": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    assert document["uid"] != 0 and document["kind"] == "RLIMIT_NPROC"
    return document


def test_a_user_who_is_not_root_gets_a_process_count_limit(system_tool: Any, folder: Path) -> None:
    result = run_unprivileged(system_tool, folder, FORK_200, max_tasks=60, memory_mb=256)
    started, refused = (int(n) for n in result["output"].split()[1:4:2])
    assert started + refused == 200 and refused > 0 and started < 60
    # Half of them detached into their own sessions and all outlived the cell's node process.
    assert leftovers(result["run_id"]) == []


def test_a_user_who_is_not_root_gets_a_memory_limit(system_tool: Any, folder: Path) -> None:
    # Buffers live outside V8's heap: only RLIMIT_DATA stops them without a cgroup.
    source = "const keep = []; while (true) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));"
    result = run_unprivileged(system_tool, folder, source, max_tasks=120, memory_mb=256)
    assert not result["ok"] and not result["timed_out"]
    assert "allocation failed" in result["output"].lower()
    assert leftovers(result["run_id"]) == []


def without_cgroups(
    system_tool: Any, home: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``peragus ARGS`` as root in a mount namespace where /sys/fs/cgroup is an empty tmpfs."""
    unshare = system_tool("unshare", package="util-linux")
    script = 'mount -t tmpfs none /sys/fs/cgroup && exec "$@"'
    return subprocess.run(
        [unshare, "--mount", "sh", "-c", script, "sh", sys.executable, "-m", "peragus", *args],
        env={**os.environ, "PERAGUS_HOME": str(home), "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_root_without_a_cgroup_hierarchy_is_refused_unless_asked(
    system_tool: Any, tmp_path: Path
) -> None:
    assert os.geteuid() == 0, "this case is root's: CI runs the tests as root"
    home = tmp_path / "home"
    source = tmp_path / "hello.src.md"
    source.write_text(
        '<!-- srcbook:{"language":"javascript"} -->\n\n# Hello\n\n'
        '###### hello.mjs\n\n```javascript\nconsole.log("hello");\n```\n'
    )
    refused = without_cgroups(system_tool, home, "run", str(source), "-o", "json")
    problem = json.loads(refused.stdout)
    assert refused.returncode == 6 and problem["code"] == "PERAGUS_CONTAINMENT_UNAVAILABLE"
    assert any("PERAGUS_UNCONTAINED=1" in s for s in problem["suggestions"])

    doctor = without_cgroups(system_tool, home, "doctor", "-o", "json")
    check = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "containment")
    assert doctor.returncode != 0 and check["status"] == "error"

    allowed = without_cgroups(
        system_tool, home, "run", str(source), "-o", "json", PERAGUS_UNCONTAINED="1"
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert json.loads(allowed.stdout)["run"]["cells"][0]["output"] == "hello\n"


def test_doctor_says_which_row_a_user_who_is_not_root_gets(system_tool: Any, folder: Path) -> None:
    hand_over(folder)
    done = subprocess.run(
        namespace_command(
            system_tool, folder, [sys.executable, "-m", "peragus", "doctor", "-o", "json"]
        ),
        env={**os.environ, "HOME": str(folder), "PERAGUS_HOME": str(folder / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    check = next(c for c in json.loads(done.stdout)["checks"] if c["name"] == "containment")
    assert check["status"] == "ok" and "RLIMIT_NPROC" in check["message"], check
    assert "RLIMIT_DATA" in check["message"]


NICE_OF_A_DETACHED_CHILD = """
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const nice = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16];
const child = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
const wait = setInterval(() => {
  if (nice('self') === '19') {
    console.log(`child at nice ${nice(child.pid)}`);
    process.exit(0);
  }
}, 50);
"""


def test_a_run_in_the_background_takes_its_detached_children_along(
    system_tool: Any, folder: Path
) -> None:
    """Without a cgroup the background is nice 19 for the run's group; a child that left the
    group before the move is found and lowered too.
    """
    result = run_unprivileged(system_tool, folder, NICE_OF_A_DETACHED_CHILD, 120, 256)
    assert result["output"] == "child at nice 19\n"
    assert leftovers(result["run_id"]) == []
