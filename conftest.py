"""What every package's tests share: the real system programs they run against.

A test that needs one fails, naming the Debian package to install, instead of skipping: a skip
would let a machine without the program report green for a test that never ran.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest

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
