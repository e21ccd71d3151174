"""Debian's headless Chromium, driven by Playwright, against a real phoenix server per test."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from groundwork.service import login_path, running_service
from phoenix.agent.runner import Agent
from phoenix.agent.service import agent_app, agent_config
from phoenix.collector.scrape import Scraper
from phoenix.server.api import server_app, server_config
from phoenix.server.pages import STATIC

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser(system_tool: Any) -> Iterator[Browser]:
    chromium = system_tool("chromium", "chromium-browser", package="chromium")
    assert (STATIC / "index.html").is_file(), "the console is not built: run `make ui`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def console(browser: Browser, home: Path) -> Iterator[tuple[Page, str]]:
    """A logged-in page on a fresh server over ``home``; yields the page and the base URL."""
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


@pytest.fixture
def page(browser: Browser, phoenix_home: Path) -> Iterator[Page]:
    with console(browser, phoenix_home) as (page, _):
        yield page


@pytest.fixture
def agent(phoenix_home: Path) -> Iterator[Callable[[], Agent]]:
    """phoenix's agent serving /metrics for this home; call the yielded function to scrape."""
    runner = Agent(phoenix_home, 10.0)
    scraper = Scraper()
    scraper.scrape()
    config = agent_config(phoenix_home, "127.0.0.1", 0)
    with running_service(agent_app(runner, config), config):

        def scrape() -> Agent:
            runner.run_once(scraper, runner.engine())
            return runner

        yield scrape
