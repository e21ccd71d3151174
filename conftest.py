"""What every package's tests share: the real system programs they run against, and Debian's
chromium driven by Playwright for the web UIs.

A test that needs one fails, naming the Debian package to install, instead of skipping: a skip
would let a machine without the program report green for a test that never ran.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
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
