"""A logged-in console page per test (the browser and server fixtures are in tests/conftest.py),
and phoenix's agent serving /metrics for the same home."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import Page

from groundwork.service import running_service
from phoenix.agent.runner import Agent
from phoenix.agent.service import agent_app, agent_config
from phoenix.collector.scrape import Scraper

Console = Callable[[Path], AbstractContextManager[tuple[Page, str]]]


@pytest.fixture
def page(console: Console, phoenix_home: Path) -> Iterator[Page]:
    with console(phoenix_home) as (page, _):
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
