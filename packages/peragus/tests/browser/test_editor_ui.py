"""The editor as a srcbook user expects it, in Debian's headless Chromium: type errors
underlined while typing, completion, hover, formatting, renaming and reordering cells, importing
by dropping a file, the examples gallery, themes, the shortcuts panel, and srcbook's
getting-started notebook installed and run.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from .conftest import served

REFERENCE = Path(__file__).parents[1] / "fixtures" / "srcbook"
TSSERVER = 60_000  # the first use installs typescript into the toolchain


def new_typescript_notebook(page: Page, title: str) -> Locator:
    """Creates one from the list; its first code cell's editor."""
    page.get_by_label("New notebook title").fill(title)
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/notebooks/*")
    return page.locator("section.code .cm-content").first


def type_into(page: Page, editor: Locator, text: str) -> None:
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def code_cells(page: Page) -> list[str]:
    names: list[str] = page.locator("section.code").evaluate_all(
        "(all) => all.map((s) => s.dataset.cell)"
    )
    return names


def test_a_type_error_is_underlined_while_typing_and_cleared_when_fixed(page: Page) -> None:
    editor = new_typescript_notebook(page, "Typed")
    type_into(page, editor, "const x: string = 5;")
    marker = page.locator("section.code .cm-lintRange-error")
    expect(marker).to_have_count(1, timeout=TSSERVER)
    expect(marker).to_have_text("x")
    page.keyboard.press("Control+A")
    page.keyboard.type("const x: string = '5';")
    expect(marker).to_have_count(0)


def test_completion_lists_console_members_and_inserts_the_pick(page: Page) -> None:
    editor = new_typescript_notebook(page, "Complete")
    expect(page.locator("main[data-tsserver=ready]")).to_be_visible(timeout=TSSERVER)
    type_into(page, editor, "console.")
    options = page.locator(".cm-tooltip-autocomplete li")
    # The first request builds tsserver's program (lib.d.ts and all): on a loaded machine that
    # alone has taken more than expect's 5 s.
    expect(options.filter(has_text="table")).to_have_count(1, timeout=TSSERVER)
    page.keyboard.type("tabl")
    expect(options).to_have_count(1)
    expect(options).to_have_text("table")
    page.keyboard.press("Enter")
    expect(editor).to_have_text("console.table")


def test_hover_shows_the_type(page: Page) -> None:
    editor = new_typescript_notebook(page, "Hover")
    expect(page.locator("main[data-tsserver=ready]")).to_be_visible(timeout=TSSERVER)
    type_into(page, editor, "const answer = { value: 42 };\nanswer")
    page.keyboard.press("Escape")
    page.locator("section.code .cm-line").nth(1).get_by_text("answer").hover()
    expect(page.locator(".quickinfo")).to_contain_text(
        "const answer: {\n    value: number;\n}", timeout=TSSERVER
    )


def test_format_rewrites_the_cell_with_prettier(page: Page) -> None:
    editor = new_typescript_notebook(page, "Format")
    type_into(page, editor, "const a={b:1,c:[1,2]}")
    page.keyboard.press("Escape")
    page.locator("section.code").first.get_by_role("button", name="Format").click()
    expect(editor).to_have_text("const a = { b: 1, c: [1, 2] };", timeout=TSSERVER)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("let  b=2")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Alt+F")
    expect(editor).to_have_text("let b = 2;")


def test_rename_a_cell_in_place(page: Page) -> None:
    new_typescript_notebook(page, "Rename")
    page.get_by_role("button", name="Rename hello.ts").click()
    page.get_by_label("Cell file name").fill("greeting.ts")
    page.keyboard.press("Enter")
    expect(page.locator("section.code[data-cell='greeting.ts']")).to_be_visible()
    page.reload()
    expect(page.locator("section.code[data-cell='greeting.ts']")).to_be_visible()


def test_reorder_two_cells_by_drag_and_by_keyboard(page: Page) -> None:
    new_typescript_notebook(page, "Reorder")
    page.locator(".cell-wrap").nth(1).get_by_role("button", name="+ Code").click()
    expect(page.locator("section.code")).to_have_count(2)
    assert code_cells(page) == ["hello.ts", "cell1.ts"]

    page.get_by_label("Move cell1.ts").drag_to(page.locator("section.code[data-cell='hello.ts']"))
    expect(page.locator("section.code").first).to_have_attribute("data-cell", "cell1.ts")

    page.locator("section.code[data-cell='hello.ts'] .cm-content").click()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("section.code").first).to_have_attribute("data-cell", "hello.ts")
    page.reload()
    expect(page.locator("section.code").first).to_have_attribute("data-cell", "hello.ts")
    expect(page.locator("section.code")).to_have_count(2)
    assert code_cells(page) == ["hello.ts", "cell1.ts"]


def test_a_file_dropped_on_the_list_is_imported(page: Page) -> None:
    text = (REFERENCE / "srcbook.src.md").read_text(encoding="utf-8")
    transfer = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "srcbook.src.md", { type: "text/markdown" }));
            return transfer;
        }""",
        text,
    )
    page.locator("main.list").dispatch_event("drop", {"dataTransfer": transfer})
    page.wait_for_url("**/notebooks/srcbook-title")
    expect(page.locator("section.code")).to_have_count(2)


def test_the_examples_gallery_opens_an_example(page: Page) -> None:
    page.get_by_role("button", name="Open example A report from CSV data").click()
    page.wait_for_url("**/notebooks/a-report-from-csv-data")
    expect(page.locator("section.code")).to_have_count(3)
    assert code_cells(page) == ["data.ts", "parse.ts", "report.ts"]


def background(page: Page) -> str:
    color: str = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    return color


def test_the_theme_follows_the_system_and_can_be_switched(
    browser: Browser, tmp_path: Path, toolchain: Path
) -> None:
    dark, light = "rgb(23, 24, 27)", "rgb(250, 250, 250)"
    with served(browser, tmp_path, toolchain, color_scheme="dark") as page:
        expect(page.get_by_role("heading", name="Notebooks")).to_be_visible()
        assert background(page) == dark
        theme = page.get_by_role("button", name="Theme")
        expect(theme).to_have_text("Theme: system")
        theme.click()
        expect(theme).to_have_text("Theme: light")
        assert background(page) == light
        page.reload()
        assert background(page) == light  # the choice is kept
        page.get_by_role("button", name="Theme").click()
        expect(page.get_by_role("button", name="Theme")).to_have_text("Theme: dark")
        assert background(page) == dark
    with served(browser, tmp_path / "light", toolchain, color_scheme="light") as page:
        expect(page.get_by_role("heading", name="Notebooks")).to_be_visible()
        assert background(page) == light


def test_question_mark_opens_the_shortcuts_panel(page: Page) -> None:
    expect(page.get_by_role("heading", name="Notebooks")).to_be_visible()
    page.keyboard.press("?")
    panel = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(panel).to_contain_text("Shift+Alt+F")
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)


def test_srcbooks_getting_started_installs_and_runs(page: Page) -> None:
    page.locator("input[type=file]").set_input_files(str(REFERENCE / "getting-started.src.md"))
    page.wait_for_url("**/notebooks/getting-started")
    package = page.locator("details.package")
    package.locator("summary").click()
    package.get_by_role("button", name="Install").click()
    expect(package.get_by_role("button", name="Install")).to_be_enabled(timeout=120_000)
    expect(package.locator(".output")).to_contain_text("added")
    page.get_by_role("button", name="Run all").click()
    words = page.locator("section.code[data-cell='generate-random-word.js']").get_by_label("Output")
    expect(words).to_contain_text("Word 4: ", timeout=60_000)
    liner = page.locator("section.code[data-cell='star-liner.js']").get_by_label("Output")
    expect(liner).to_have_text("I am your father, Luke\nI am your father, Leia\n", timeout=60_000)


def test_completing_a_sibling_cells_export_adds_its_import(page: Page) -> None:
    editor = new_typescript_notebook(page, "Siblings")
    type_into(page, editor, "export const greeting = 'hi';")
    page.keyboard.press("Escape")
    page.locator(".cell-wrap").nth(1).get_by_role("button", name="+ Code").click()
    other = page.locator("section.code[data-cell='cell1.ts'] .cm-content")
    expect(page.locator("main[data-tsserver=ready]")).to_be_visible(timeout=TSSERVER)
    other.click()
    page.keyboard.type("gree")
    option = page.locator(".cm-tooltip-autocomplete li").filter(has_text="greeting")
    expect(option).to_have_count(1, timeout=TSSERVER)  # the first request builds the program
    # Picked by a click on the option itself: Enter lands on whatever list is open at that
    # instant, and a list redrawn by a later answer once let it through to the editor.
    option.click()
    expect(other).to_have_text('import { greeting } from "./hello.ts";greeting')
