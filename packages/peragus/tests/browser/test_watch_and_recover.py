"""In Chromium: the server killed with kill -9 mid-edit and restarted loses no keystroke; the
status page shows a running cell live; the list's search, filters and sort; notebook templates.
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from ..server.process import free_port, start_server


def test_a_server_killed_mid_edit_and_restarted_loses_no_keystroke(
    browser: Browser, tmp_path: Path
) -> None:
    home, notebooks, port = tmp_path / "home", tmp_path / "notebooks", free_port()
    server = start_server(home, notebooks, port)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.login_url)
        page.get_by_label("New notebook title").fill("Kill nine")
        page.get_by_label("Language").select_option("javascript")
        page.get_by_role("button", name="Create").click()
        page.wait_for_url("**/notebooks/kill-nine")
        editor = page.locator("section.code .cm-content").first
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n// before the kill")
        page.keyboard.type("\n// typed as it dies")  # sent at once: its save races the kill
        server.kill_9()
        expect(page.get_by_text("reconnecting…")).to_be_visible()
        page.keyboard.type("\n// typed while it is down")
        server = start_server(home, notebooks, port)
        expect(page.get_by_text("connected", exact=True)).to_be_visible(timeout=30_000)
        page.keyboard.type("\n// typed after")
        expected = [
            "// before the kill",
            "// typed as it dies",
            "// typed while it is down",
            "// typed after",
        ]
        for line in expected:
            expect(editor).to_contain_text(line)
        # The server has all of it on disk, not only this browser's draft.
        cell = notebooks / "kill-nine" / "src" / "hello.mjs"
        deadline = time.monotonic() + 30  # a bound on the wait for the autosave, not a speed test
        while not all(line in cell.read_text() for line in expected):
            assert time.monotonic() < deadline, cell.read_text()
            time.sleep(0.1)
        page.reload()
        page.evaluate("localStorage.clear()")
        page.reload()
        for line in expected:
            expect(page.locator("section.code .cm-content").first).to_contain_text(line)
    finally:
        context.close()
        server.interrupt()
        server.process.wait(timeout=30)


def test_the_status_page_shows_a_running_cell_live(page: Page) -> None:
    page.get_by_label("New notebook title").fill("Watched")
    page.get_by_label("Language").select_option("javascript")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/watched")
    editor = page.locator("section.code .cm-content").first
    editor.click()
    page.keyboard.press("Control+A")
    source = "console.log('working'); setInterval(() => {}, 1000);"
    page.keyboard.type(source)
    expect(editor).to_have_text(source)
    page.locator("section.code").first.get_by_role("button", name="Run").click()
    expect(page.get_by_label("Output").first).to_contain_text("working", timeout=30_000)

    status = page.context.new_page()
    status.goto(page.url.split("/notebooks/")[0] + "/status")
    runs = status.get_by_role("table", name="Running cells")
    expect(runs).to_contain_text("watched")
    expect(runs).to_contain_text("hello.mjs")
    expect(status.get_by_label("Resources")).to_contain_text("Server memory")
    expect(status.get_by_role("img", name="Memory over the last hour")).to_be_visible()
    status.get_by_label("Memory (MB)").fill("16")
    status.get_by_role("button", name="Save thresholds").click()
    expect(status.get_by_role("alert")).to_contain_text("over the 16 MB threshold")

    page.locator("section.code").first.get_by_role("button", name="Stop").click()
    expect(status.get_by_text("No cell is running.")).to_be_visible()


def test_the_list_searches_filters_and_sorts(page: Page) -> None:
    for title, language in (("Zeta report", "typescript"), ("Alpha notes", "javascript")):
        page.evaluate(
            "([title, language]) => fetch('/api/notebooks', {method: 'POST', headers:"
            " {'content-type': 'application/json'}, body: JSON.stringify({title, language})})",
            [title, language],
        )
    page.reload()
    links = page.locator(".notebooks li a")
    expect(links).to_have_text(["Alpha notes", "Zeta report"])  # the newest first
    page.get_by_label("Sort").select_option("title")
    expect(links).to_have_text(["Alpha notes", "Zeta report"])
    page.get_by_label("Sort").select_option("modified")
    expect(links).to_have_text(["Alpha notes", "Zeta report"])
    page.get_by_label("Show only").select_option("typescript")
    expect(links).to_have_text(["Zeta report"])
    page.get_by_label("Show only").select_option("")
    page.get_by_label("Search notebooks").fill("alp")
    expect(links).to_have_text(["Alpha notes"])
    page.get_by_label("Search notebooks").fill("nothing like it")
    expect(page.get_by_text("No notebook matches.")).to_be_visible()


def test_a_notebook_from_a_template_and_saved_as_one(page: Page) -> None:
    page.get_by_label("New notebook title").fill("Cities")
    page.get_by_label("Template").select_option(label="Data in steps")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/cities")
    expect(page.get_by_label("Title")).to_have_value("Cities")
    expect(page.locator("section.code")).to_have_count(3)
    page.get_by_role("button", name="Run all").click()
    report = page.locator("section.code[data-cell='report.mjs']")
    expect(report.get_by_label("Output")).to_contain_text("mean temperature: 14.8", timeout=30_000)

    page.once("dialog", lambda dialog: dialog.accept("My city steps"))
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved as the template “My city steps”")
    page.goto(page.url.split("/notebooks/")[0] + "/")
    page.get_by_label("New notebook title").fill("Towns")
    page.get_by_label("Template").select_option(label="My city steps (yours)")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/towns")
    expect(page.locator("section.code")).to_have_count(3)
