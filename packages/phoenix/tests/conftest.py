"""Real processes for the tests: long sleeps started through links named like services."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[[list[str]], list[subprocess.Popen[bytes]]]]:
    started: list[subprocess.Popen[bytes]] = []
    sleep = shutil.which("sleep") or "/bin/sleep"

    def start(names: list[str]) -> list[subprocess.Popen[bytes]]:
        batch = []
        for i, name in enumerate(names):
            folder = tmp_path / f"bin{len(started) + i}"
            folder.mkdir()
            (folder / name).symlink_to(sleep)
            batch.append(subprocess.Popen([str(folder / name), "300"]))
        started.extend(batch)
        time.sleep(0.2)
        return batch

    yield start
    for process in started:
        process.kill()
        process.wait()
