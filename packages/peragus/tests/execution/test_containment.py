"""Containment of a cell run, on the real kernel: the process-count limit, the memory limit, and
the kill at the end that leaves no process behind, even one that left the cell's process group.

Each run's processes carry its id in PERAGUS_RUN_ID; after the run, no process on the machine
may have it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest

from peragus.execution.containment import containment_kind
from peragus.execution.runner import CellRun, Limits, RunResult
from peragus.notebooks.folder import write_folder
from peragus.notebooks.model import CodeCell, Notebook

FORK_200 = """
import { spawn } from 'node:child_process';
let started = 0, refused = 0;
for (let i = 0; i < 200; i++) {
  try {
    const child = spawn('sleep', ['300'], { stdio: 'ignore', detached: i % 2 === 0 });
    child.on('error', () => {});
    child.unref();
    if (child.pid) started++; else refused++;
  } catch { refused++; }
}
console.log(`started ${started} refused ${refused}`);
"""


def leftovers(run_id: str) -> list[int]:
    """Processes anywhere on the machine that belong to the run."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("PERAGUS_RUN_ID") == run_id:
                found.append(process.pid)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def cell(folder: Path, source: str) -> Path:
    write_folder(
        Notebook(
            title="t",
            language="javascript",
            metadata='{"language":"javascript"}',
            cells=[CodeCell(filename="cell.mjs", source=source)],
        ),
        folder,
    )
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_this_machine_contains_runs_in_a_cgroup() -> None:
    """CI runs as root: without the cgroup, no process-count limit would hold at all."""
    assert containment_kind().startswith("cgroup v1 (") and "pids" in containment_kind()


def test_forking_200_children_stops_at_the_limit_and_leaves_none(
    home: Path, tmp_path: Path
) -> None:
    run = CellRun(home, cell(tmp_path / "f", FORK_200), "cell.mjs", limits=Limits(max_tasks=60))
    result = run.run()
    text = "".join(line for _, line in result.output)
    started, refused = (int(n) for n in text.split()[1:4:2])
    assert started + refused == 200 and refused > 0 and started < 60
    assert result.hit_task_limit
    assert "[the cell reached its limit of 60 processes and threads; starting more failed]" in text
    assert leftovers(run.run_id) == []


def test_children_that_leave_the_process_group_are_killed_with_the_run(
    home: Path, tmp_path: Path
) -> None:
    source = (
        "import { spawn } from 'node:child_process';\n"
        "for (let i = 0; i < 5; i++) spawn('setsid', ['sleep', '300'],"
        " { stdio: 'ignore', detached: true }).unref();\n"
        "console.log('spawned');\n"
    )
    run = CellRun(home, cell(tmp_path / "d", source), "cell.mjs")
    assert run.run().output == [("stdout", "spawned\n")]
    assert leftovers(run.run_id) == []


def test_allocating_without_bound_is_stopped_at_the_memory_limit(
    home: Path, tmp_path: Path
) -> None:
    # Buffers live outside V8's heap, so only the memory limit stops them.
    source = "const keep = []; while (true) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));"
    limits = Limits(memory_mb=256, timeout_seconds=60)
    run = CellRun(home, cell(tmp_path / "m", source), "cell.mjs", limits=limits)
    result = run.run()
    assert result.stopped_by == "memory" and not result.timed_out and not result.ok
    assert result.output[-1] == (
        "stderr",
        "[the run was stopped: its processes used more than 256 MB of memory]\n",
    )
    assert leftovers(run.run_id) == []


def test_a_run_being_stopped_gets_its_cpu_share_back_to_exit(home: Path, tmp_path: Path) -> None:
    """After a second a run drops to the background (cpu.shares 2); stopped there on a busy
    machine, its processes would wait seconds for the CPU they need to exit.
    """
    source = """
import { readFileSync } from 'node:fs';
const group = readFileSync('/proc/self/cgroup', 'utf8').split('\\n')
  .map((line) => line.split(':')).find((f) => f[1].split(',').includes('cpu'))[2];
const shares = () => readFileSync(`/sys/fs/cgroup/cpu${group}/cpu.shares`, 'utf8').trim();
process.on('SIGTERM', () => { console.log(`stopping at ${shares()}`); process.exit(0); });
const wait = setInterval(() => {
  if (shares() === '2') { console.log('in the background'); clearInterval(wait); }
}, 50);
setInterval(() => {}, 1000);
"""
    run = CellRun(home, cell(tmp_path / "s", source), "cell.mjs")
    backgrounded = threading.Event()

    def heard(_stream: str, text: str) -> None:
        if "in the background" in text:
            backgrounded.set()

    finished: list[RunResult] = []
    runner = threading.Thread(target=lambda: finished.append(run.run(heard)))
    runner.start()
    assert backgrounded.wait(timeout=60)
    run.stop()
    runner.join(timeout=60)
    assert [text for _, text in finished[0].output] == ["in the background\n", "stopping at 4096\n"]
