"""Debian's headless Chromium, driven by Playwright, against a real peragus server per test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from groundwork.service import login_path, running_service
from peragus.server import STATIC
from peragus.server.app import peragus_app
from peragus.server.config import server_config


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    assert (STATIC / "index.html").is_file(), "the web UI is not built: run `make ui`"
    return chromium


@pytest.fixture(scope="module")
def toolchain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """esbuild, typescript and prettier, installed once per test module rather than per test."""
    return tmp_path_factory.mktemp("toolchain")


@contextlib.contextmanager
def served(browser: Browser, tmp_path: Path, toolchain: Path, **context: Any) -> Iterator[Page]:
    """A logged-in page on a fresh server; ``context`` sets the browser's (colour scheme...)."""
    home = tmp_path / "home"
    config = server_config(home, port=0)
    app = peragus_app(home, tmp_path / "notebooks", config)
    with pytest.MonkeyPatch.context() as patch, running_service(app, config) as info:
        patch.setenv("PERAGUS_TOOLCHAIN", str(toolchain))
        browser_context = browser.new_context(**context)
        page = browser_context.new_page()
        page.goto(f"{info.url}{login_path(app)}")
        yield page
        browser_context.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path, toolchain: Path) -> Iterator[Page]:
    with served(browser, tmp_path, toolchain) as page:
        yield page
