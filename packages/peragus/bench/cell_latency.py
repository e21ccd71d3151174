"""Cell latency: from starting a run to the first output of a one-line TypeScript cell.

Target <= 150 ms median. Beside it: the same file through tsx (what srcbook runs, installed
here with npm), and plain node on JavaScript, for scale.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from groundwork.bench import print_figure
from peragus.execution.runner import CellRun
from peragus.notebooks.folder import write_folder
from peragus.notebooks.model import CodeCell, Notebook

RUNS = 15


def first_output_ms(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    elapsed = (time.perf_counter() - started) * 1000
    process.wait()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "nb"
        write_folder(
            Notebook(
                title="bench",
                language="typescript",
                metadata='{"language":"typescript"}',
                cells=[CodeCell(filename="one.ts", source="console.log(1 as number);")],
            ),
            folder,
        )
        home = root / "home"
        cold = CellRun(home, folder, "one.ts").run().first_output_ms or 0.0
        warm = [CellRun(home, folder, "one.ts").run().first_output_ms or 0.0 for _ in range(RUNS)]
        edited = []
        for n in range(5):
            (folder / "src" / "one.ts").write_text(f"console.log({n} as number);\n")
            edited.append(CellRun(home, folder, "one.ts").run().first_output_ms or 0.0)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(root / "tsx"),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "tsx",
            ],
            check=True,
            capture_output=True,
        )
        tsx = [
            first_output_ms([str(root / "tsx/node_modules/.bin/tsx"), "src/one.ts"], folder)
            for _ in range(5)
        ]
        (folder / "src" / "one.mjs").write_text("console.log(1)\n")
        plain = [first_output_ms(["node", "src/one.mjs"], folder) for _ in range(5)]
    print_figure(
        "TS cell, warm cache: start -> first output",
        statistics.median(warm),
        "ms",
        target="<= 150 ms",
    )
    print_figure("TS cell after an edit (esbuild compile)", statistics.median(edited), "ms")
    print_figure("TS cell, very first run (installs esbuild once)", cold, "ms")
    print_figure("tsx on the same file (srcbook's way)", statistics.median(tsx), "ms")
    print_figure("plain node on JavaScript, for scale", statistics.median(plain), "ms")
    print_figure("speed-up over tsx", statistics.median(tsx) / statistics.median(warm), "x")


if __name__ == "__main__":
    main()
