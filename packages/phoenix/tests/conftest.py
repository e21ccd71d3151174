"""What phoenix's tests share: real processes (long sleeps started through links named like
services), the collector build, and Debian's headless Chromium driven by Playwright against a real
phoenix server."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    from phoenix.server.pages import STATIC

    assert (STATIC / "index.html").is_file(), "the console is not built: run `make ui`"
    return chromium


@pytest.fixture
def console(browser: Browser) -> Callable[[Path], AbstractContextManager[tuple[Page, str]]]:
    """Opens a logged-in page on a fresh phoenix server over a home: ``with console(home) as
    (page, url)``."""
    return lambda home: _console(browser, home)


@contextlib.contextmanager
def _console(browser: Browser, home: Path) -> Iterator[tuple[Page, str]]:
    """A logged-in page on a fresh server over ``home``; yields the page and the base URL."""
    from groundwork.service import login_path, running_service
    from phoenix.server.api import server_app, server_config

    config = server_config(home, "127.0.0.1", 0)
    app = server_app(home, config, event_seconds=0.2)
    with running_service(app, config) as info:
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.goto(f"{info.url}{login_path(app)}")
        try:
            yield page, info.url
        finally:
            context.close()
