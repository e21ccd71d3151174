"""The template form prismd serves, in Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from groundwork.service import login_path, running_service
from prism.daemon.main import build
from prism.templates.catalog import Catalog


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    return chromium


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    monkeypatch.setenv("PRISM_DAEMON_PORT", "0")
    app, engine = build(tmp_path)
    try:
        with running_service(app, app.state.config) as info:
            yield info.url, app
    finally:
        engine.close()


@pytest.fixture
def page(browser: Browser, served: tuple[str, Any]) -> Iterator[Page]:
    url, app = served
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}{login_path(app)}&next=/templates/new")
    yield page
    context.close()


def test_the_form_needs_the_login(served: tuple[str, Any]) -> None:
    url, _ = served
    assert httpx.get(f"{url}/templates/new").status_code == 401
    assert httpx.get(f"{url}/login?ticket=forged&next=/templates/new").status_code == 401


def test_build_a_template_watch_it_validate_and_save_it(page: Page, tmp_path: Path) -> None:
    expect(page.get_by_role("heading", name="New template")).to_be_visible()
    expect(page.get_by_label("Validation")).to_contain_text("Give the template a slug")
    page.get_by_label("Slug").fill("field-lab")
    page.get_by_label("Display name").fill("Field Lab")
    page.get_by_label("Start from").select_option("ubuntu-server")
    page.get_by_label("System packages (one per line)").fill("samtools\nbwa")
    expect(page.get_by_label("YAML")).to_contain_text("inherits:\n- Ubuntu Server")
    expect(page.get_by_label("YAML")).to_contain_text("- samtools")
    expect(page.get_by_label("Validation")).to_contain_text("Valid")

    page.get_by_role("button", name="Add service").click()
    page.get_by_label("Service name").fill("notes")
    page.get_by_label("Service port").fill("8080")
    page.get_by_label("Service command").fill("/usr/bin/python3 -m http.server 8080")
    expect(page.get_by_label("YAML")).to_contain_text("port: 8080")
    expect(page.get_by_label("YAML")).to_contain_text("ports:\n- 8080")

    page.get_by_role("button", name="Add user").click()
    page.get_by_label("User name").fill("Not A User")
    expect(page.get_by_label("Validation")).to_contain_text("users.0.name")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text("Not saved")
    assert not (tmp_path / "templates" / "field-lab.yml").exists()

    page.get_by_label("User name").fill("analyst")
    page.get_by_label("Groups").fill("sudo")
    page.get_by_role("button", name="Add parameter").click()
    page.get_by_label("Parameter name").fill("dataset")
    page.get_by_label("Parameter default").fill("reference")
    expect(page.get_by_label("Validation")).to_contain_text("Valid")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text("Saved field-lab")

    saved = tmp_path / "templates" / "field-lab.yml"
    written = yaml.safe_load(saved.read_text())
    assert written["inherits"] == ["Ubuntu Server"]
    assert written["packages"]["system"] == ["samtools", "bwa"]
    assert written["users"] == [{"name": "analyst", "groups": ["sudo"]}]
    assert written["parameters"]["dataset"]["default"] == "reference"
    resolved = Catalog(tmp_path / "templates").resolve("field-lab")
    assert "samtools" in resolved.template.packages.system
    assert "build-essential" in resolved.template.packages.system  # from its parent

    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text("exists already")
