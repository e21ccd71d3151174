"""Real processes for the tests: long sleeps started through links named like services."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

BUILD = Path(__file__).parents[1] / "otelcol" / "build.sh"


@pytest.fixture(scope="session")
def otelcol() -> Path:
    """phoenix-otelcol, built by `make collector` (which `make test` runs first); the build
    script only finds the cached binary then, and builds under a lock when it is missing."""
    if shutil.which("go") is None and shutil.which("flock") is None:
        pytest.fail("building phoenix-otelcol needs Go and flock (util-linux)", pytrace=False)
    done = subprocess.run([str(BUILD)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"make collector failed: {done.stderr[-2000:]}"
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(autouse=True)
def phoenix_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's phoenix folder, logs included, is its own: nothing lands in the user's."""
    monkeypatch.setenv("PHOENIX_HOME", str(tmp_path))
    return tmp_path


def _named(process: subprocess.Popen[bytes], name: str) -> bool:
    try:
        return psutil.Process(process.pid).name() == name
    except psutil.NoSuchProcess:
        return False


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
        # A scrape must see each under its name: wait until it has exec'd, not a fixed time.
        deadline = time.monotonic() + 10
        for process, name in zip(batch, names, strict=True):
            while not _named(process, name):
                assert time.monotonic() < deadline, f"{name} never started"
                time.sleep(0.01)
        return batch

    yield start
    for process in started:
        process.kill()
        process.wait()
