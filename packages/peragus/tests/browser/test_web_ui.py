"""The web UI in Debian's headless Chromium, driven by Playwright, against a real server."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect


def test_create_type_run_and_find_it_saved_after_a_reload(page: Page) -> None:
    expect(page.get_by_role("heading", name="Notebooks")).to_be_visible()
    page.get_by_label("New notebook title").fill("Browser test")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/browser-test")
    expect(page.locator(".markdown .rendered")).to_contain_text("Write notes in markdown cells")

    editor = page.locator("section.code .cm-content").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('const n: number = 20 + 22;\nconsole.log("from chromium", n);')
    page.locator("section.code").first.get_by_role("button", name="Run").click()
    expect(page.get_by_label("Output").first).to_contain_text("from chromium 42", timeout=30_000)

    page.get_by_label("Title").fill("Renamed in the browser")
    page.reload()
    expect(page.locator("section.code .cm-content").first).to_contain_text(
        'console.log("from chromium", n);'
    )
    expect(page.get_by_label("Title")).to_have_value("Renamed in the browser")


def test_edits_typed_just_before_a_reload_are_not_lost(page: Page) -> None:
    page.get_by_label("New notebook title").fill("Fast typist")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/fast-typist")
    page.locator("section.code .cm-content").first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n// last words")
    page.reload()  # at once: no time for the debounce
    expect(page.locator("section.code .cm-content").first).to_contain_text("// last words")
    page.reload()  # and the server has it too, not only this browser's draft
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator("section.code .cm-content").first).to_contain_text("// last words")


REFERENCE = Path(__file__).parents[1] / "fixtures" / "srcbook" / "srcbook.src.md"


def test_import_run_all_and_export_unchanged(page: Page) -> None:
    page.locator("input[type=file]").set_input_files(str(REFERENCE))
    page.wait_for_url("**/notebooks/srcbook-title")
    expect(page.locator(".markdown h2").first).to_have_text("Section h2")
    page.get_by_role("button", name="Run all").click()
    foo = page.locator("section.code[data-cell='foo.mjs']")
    expect(foo.get_by_label("Output")).to_have_text("5\n", timeout=30_000)
    exported = page.evaluate("fetch('/api/notebooks/srcbook-title/export').then((r) => r.text())")
    assert exported == REFERENCE.read_text(encoding="utf-8")


def test_ai_controls_explain_how_to_set_a_key(page: Page) -> None:
    page.get_by_label("New notebook title").fill("No key")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/no-key")
    expect(page.get_by_label("Generate cells")).to_have_attribute(
        "placeholder", "AI: set a provider key in Settings to generate cells"
    )
    page.get_by_role("button", name="Generate").click()
    dialog = page.get_by_role("dialog", name="Settings")
    expect(dialog).to_contain_text("No key yet")
    dialog.get_by_label("Secret name").fill("TOKEN")
    dialog.get_by_label("Secret value").fill("hidden-value")
    dialog.get_by_role("button", name="Add").click()
    expect(dialog.locator("code")).to_have_text("TOKEN")
    expect(dialog).not_to_contain_text("hidden-value")
