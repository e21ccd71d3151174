"""Cells run as real node processes: output, failures, stop, timeout, caps, forks, secrets."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from peragus.execution.runner import CellRun, Limits
from peragus.notebooks.folder import write_folder
from peragus.notebooks.model import CodeCell, Language, Notebook


def notebook(folder: Path, language: Language, cells: dict[str, str]) -> Path:
    write_folder(
        Notebook(
            title="t",
            language=language,
            metadata=f'{{"language":"{language}"}}',
            cells=[CodeCell(filename=name, source=src) for name, src in cells.items()],
        ),
        folder,
    )
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_javascript_and_typescript_cells_run_and_import_siblings(
    home: Path, tmp_path: Path
) -> None:
    js = notebook(tmp_path / "js", "javascript", {"a.mjs": "console.log('from js', 1 + 1)"})
    assert CellRun(home, js, "a.mjs").run().output == [("stdout", "from js 2\n")]
    ts = notebook(
        tmp_path / "ts",
        "typescript",
        {
            "util.ts": "export const twice = (n: number): number => n * 2;",
            "main.ts": "import { twice } from './util.ts';\nconsole.log(twice(21));",
        },
    )
    result = CellRun(home, ts, "main.ts").run()
    assert result.ok
    assert result.output == [("stdout", "42\n")]


def test_a_failing_cell_reports_its_exit_code_and_line(home: Path, tmp_path: Path) -> None:
    folder = notebook(
        tmp_path / "f", "typescript", {"bad.ts": "const a: number = 1;\n\nthrow new Error('nope');"}
    )
    result = CellRun(home, folder, "bad.ts").run()
    assert result.exit_code == 1 and not result.ok
    text = "".join(line for _, line in result.output)
    assert "bad.ts:3" in text


def test_stop_ends_a_looping_cell(home: Path, tmp_path: Path) -> None:
    folder = notebook(
        tmp_path / "l", "javascript", {"loop.mjs": "console.log('go'); while (true) {}"}
    )
    # The timeout is a backstop: if stop did nothing, the run ends timed out, not stopped.
    run = CellRun(home, folder, "loop.mjs", limits=Limits(grace_seconds=0.5, timeout_seconds=60))

    def on_output(stream: str, line: str) -> None:
        if line == "go\n":  # the loop has started: stop it from another thread, as the server does
            threading.Thread(target=run.stop).start()

    result = run.run(on_output)
    assert result.stopped and not result.timed_out
    assert result.exit_code == -signal.SIGTERM


def test_a_timeout_ends_the_run(home: Path, tmp_path: Path) -> None:
    folder = notebook(tmp_path / "t", "javascript", {"slow.mjs": "setTimeout(() => {}, 60000)"})
    result = CellRun(home, folder, "slow.mjs", limits=Limits(timeout_seconds=0.5)).run()
    assert result.timed_out and not result.ok


def test_a_flood_of_output_is_cut_and_the_run_stopped_with_a_notice(
    home: Path, tmp_path: Path
) -> None:
    folder = notebook(
        tmp_path / "o",
        "javascript",
        {
            "flood.mjs": "const chunk = 'x'.repeat(50) + '\\n';\n"
            "(function go() { process.stdout.write(chunk, go); })();"
        },
    )
    # Were the run only cut, it would go on until this timeout and end timed out.
    limits = Limits(output_bytes=10_000, timeout_seconds=60)
    result = CellRun(home, folder, "flood.mjs", limits=limits).run()
    assert result.truncated and result.stopped_by == "output" and not result.timed_out
    assert not result.ok
    assert sum(len(t) for s, t in result.output if s == "stdout") <= 10_000
    assert result.output[-1] == ("stderr", "[output passed 10,000 bytes: the run was stopped]\n")


def test_a_cell_that_forks_leaves_no_child_behind(home: Path, tmp_path: Path) -> None:
    source = (
        "import { spawn } from 'node:child_process';\n"
        "const child = spawn('sleep', ['300'], { stdio: 'ignore' });\n"
        "child.unref();\n"
        "console.log(child.pid);\n"
    )
    folder = notebook(tmp_path / "k", "javascript", {"fork.mjs": source})
    result = CellRun(home, folder, "fork.mjs").run()
    child = int(result.output[0][1])

    def gone() -> bool:
        try:
            return psutil.Process(child).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    deadline = time.monotonic() + 10  # a bound on the wait, not a speed requirement
    while not gone() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone()


def test_secrets_are_in_the_environment_and_the_rest_is_clean(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOME_HOST_SECRET", "leak")
    folder = notebook(
        tmp_path / "s",
        "javascript",
        {"env.mjs": "console.log(process.env.API_TOKEN, process.env.SOME_HOST_SECRET ?? 'absent')"},
    )
    result = CellRun(home, folder, "env.mjs", secrets={"API_TOKEN": "tok-123"}).run()
    assert result.output == [("stdout", "tok-123 absent\n")]
