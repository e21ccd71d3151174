"""The .src.md format: srcbook's files and the liberties srcbook allows decode, then encode back
to the same bytes, in both forms; generated notebooks with awkward fences and CRLF do too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peragus.notebooks.folder import read_folder, write_folder
from peragus.notebooks.model import CodeCell, MarkdownCell, Notebook, PackageJsonCell
from peragus.notebooks.srcmd import NotebookInvalid, decode, encode

FIXTURES = Path(__file__).parents[1] / "fixtures"
REFERENCE = FIXTURES / "srcbook"
SRCBOOK_FILES = [REFERENCE / "getting-started.src.md", REFERENCE / "srcbook.src.md"]
LIBERTIES = [
    FIXTURES / "liberties" / name
    for name in ("markdown-before-package.src.md", "other-cells.src.md", "fences.src.md")
]
JS = '<!-- srcbook:{"language":"javascript"} -->\n\n# T\n\n'


@pytest.mark.parametrize("path", SRCBOOK_FILES + LIBERTIES, ids=lambda p: p.name)
def test_files_round_trip_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    notebook = decode(text, str(path))
    assert encode(notebook) == text


@pytest.mark.parametrize("path", SRCBOOK_FILES + LIBERTIES, ids=lambda p: p.name)
def test_the_folder_form_round_trips_too(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    notebook = decode(text, str(path))
    write_folder(notebook, tmp_path / "nb")
    readme = (tmp_path / "nb" / "README.md").read_text()
    for cell in notebook.code_cells():
        assert f"###### {cell.filename}\n\n[{cell.filename}](./src/{cell.filename})" in readme
        assert (tmp_path / "nb" / "src" / cell.filename).read_text() == cell.source
    again = read_folder(tmp_path / "nb")
    assert encode(again) == text
    write_folder(again, tmp_path / "nb")
    assert (tmp_path / "nb" / "README.md").read_text() == readme


@pytest.mark.parametrize("path", SRCBOOK_FILES + LIBERTIES, ids=lambda p: p.name)
def test_crlf_files_stay_crlf(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    notebook = decode(text, str(path))
    assert notebook.newline == "\r\n"
    assert "\r" not in "".join(c.source for c in notebook.code_cells())
    assert encode(notebook).encode() == text.encode()


def test_a_missing_final_newline_comes_back_as_srcbook_writes_it() -> None:
    text = (REFERENCE / "srcbook.src.md").read_text(encoding="utf-8")
    assert encode(decode(text.rstrip("\n"))) == text


def test_fenced_lines_are_code_not_titles_or_cells() -> None:
    notebook = decode((FIXTURES / "liberties" / "fences.src.md").read_text())
    assert notebook.title == "Fences"
    assert [c.filename for c in notebook.code_cells()] == ["tilde.js", "long.js", "bare.mjs"]
    install = notebook.cells[0]
    assert isinstance(install, MarkdownCell)
    assert "# a comment, not a title" in install.text
    assert "###### not-a-cell.js" in install.text
    long = notebook.cell("long.js")
    assert long is not None and long.fence == "````javascript"
    assert "```\n# not a title either\n```" in long.source


def test_markdown_may_come_before_package_json() -> None:
    notebook = decode((FIXTURES / "liberties" / "markdown-before-package.src.md").read_text())
    assert notebook.package_json is not None and '"type": "module"' in notebook.package_json.source
    assert notebook.package_json_at == 1
    assert isinstance(notebook.cells[0], MarkdownCell)


def test_cells_of_other_kinds_are_kept_but_only_code_runs() -> None:
    notebook = decode((FIXTURES / "liberties" / "other-cells.src.md").read_text())
    kinds = {c.filename: c.runnable for c in notebook.code_cells()}
    assert kinds == {
        "setup.sh": False,
        "config.json": False,
        "example.src.md": False,
        "run.ts": True,
    }
    example = notebook.cell("example.src.md")
    assert example is not None and example.source.startswith("<!-- srcbook:")


def test_the_header_may_come_after_the_title_and_is_written_first() -> None:
    text = (FIXTURES / "liberties" / "header-after-title.src.md").read_text()
    notebook = decode(text)
    assert notebook.title == "The header is not on line 1"
    assert [c.filename for c in notebook.code_cells()] == ["hello.js"]
    assert encode(notebook).startswith(
        '<!-- srcbook:{"language":"javascript"} -->\n\n# The header is not on line 1\n\nsrcbook'
    )


def test_an_edited_cell_that_would_close_its_fence_gets_a_longer_one() -> None:
    notebook = decode(JS + "###### a.js\n\n```javascript\n1\n```\n")
    notebook.cells[0] = CodeCell(filename="a.js", source="const s = `\n```\n`;")
    text = encode(notebook)
    assert "````javascript\nconst s" in text
    assert [c.source for c in decode(text).code_cells()] == ["const s = `\n```\n`;"]


def test_the_saved_edit_rewrites_only_the_files_it_changed(tmp_path: Path) -> None:
    notebook = decode((REFERENCE / "srcbook.src.md").read_text())
    folder = tmp_path / "nb"
    write_folder(notebook, folder)
    files = [folder / "package.json", folder / "src" / "index.mjs", folder / "src" / "foo.mjs"]
    before = {f: f.stat().st_ino for f in files}
    index = next(i for i, c in enumerate(notebook.cells) if getattr(c, "filename", "") == "foo.mjs")
    notebook.cells[index] = CodeCell(filename="foo.mjs", source="export const foo = 2;\r\n")
    write_folder(notebook, folder)
    after = {f: f.stat().st_ino for f in files}
    assert after[folder / "package.json"] == before[folder / "package.json"]
    assert after[folder / "src" / "index.mjs"] == before[folder / "src" / "index.mjs"]
    assert after[folder / "src" / "foo.mjs"] != before[folder / "src" / "foo.mjs"]
    assert (folder / "src" / "foo.mjs").read_bytes() == b"export const foo = 2;\r\n"
    assert encode(read_folder(folder)) == encode(notebook)


def test_the_reference_cells_are_what_srcbook_shows() -> None:
    notebook = decode((REFERENCE / "srcbook.src.md").read_text())
    assert notebook.title == "Srcbook title"
    assert [c.filename for c in notebook.code_cells()] == ["index.mjs", "foo.mjs"]
    markdown = [c for c in notebook.cells if isinstance(c, MarkdownCell)]
    assert "This will render as markdown, not a code cell." in markdown[1].text


BASH = JS + "Setup:\n\n```bash\n# install\nnpm i\n```\n\n"


@pytest.mark.parametrize(
    ("text", "line", "words", "fix"),
    [
        ("# no header\n", 1, "no srcbook header", "first line"),
        ('<!-- srcbook:{"language":"ruby"} -->\n\n# T\n', 1, "not 'ruby'", '"language"'),
        ('<!-- srcbook:{"language":} -->\n\n# T\n', 1, "not valid JSON", "Write it as"),
        (BASH + "###### a.js\n\ntext\n", 12, "no code fence", "##### a.js"),
        (BASH + "# Second\n", 12, "second '# ' title (the first is on line 3)", "'## '"),
        (
            BASH + "###### a.js\n\n```javascript\nx\n```\n\n###### a.js\n\n```\ny\n```\n",
            18,
            "two cells are named a.js (the first on line 12)",
            "Rename",
        ),
        (JS.replace("# T\n\n", "Intro\n\n# T\n"), 3, "must start with its '# Title'", "below"),
        (
            BASH + "###### my cell.js\n\n```javascript\nx\n```\n",
            12,
            "cannot be a cell's",
            "letters",
        ),
        (JS + "###### a.js\n\n[a.js](./src/a.js)\n", 7, "links to its file", "folder"),
        (JS.replace("# T\n\n", ""), 1, "no '# Title'", "Add '# Title'"),
    ],
)
def test_errors_name_the_line_and_what_to_change(
    text: str, line: int, words: str, fix: str
) -> None:
    with pytest.raises(NotebookInvalid) as invalid:
        decode(text, "bad.src.md")
    assert invalid.value.line == line
    assert invalid.value.message.startswith(f"bad.src.md:{line}: ")
    assert words in invalid.value.message
    assert fix in invalid.value.suggestions[0]


def test_error_lines_count_crlf_lines_once() -> None:
    text = (BASH + "# Second\n").replace("\n", "\r\n")
    with pytest.raises(NotebookInvalid) as invalid:
        decode(text)
    assert invalid.value.line == 12


# Generated notebooks: the awkward lines a real notebook holds, in code and in markdown.
AWKWARD_CODE_LINES = [
    "```",
    "````",
    "```ts",
    "~~~",
    "~~~~~",
    "   ```",
    "# a comment",
    "# Title",
    "###### other.js",
    '<!-- srcbook:{"language":"javascript"} -->',
    "[a.js](./src/a.js)",
    "",
    "    indented",
]
plain_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
)
code_line = st.one_of(st.sampled_from(AWKWARD_CODE_LINES), plain_line)
code_source = st.lists(code_line, max_size=6).map("\n".join)
word_text = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,!?'*", min_size=1, max_size=50)
    .map(str.strip)
    .filter(bool)
)
fenced_in_markdown = st.sampled_from(
    [
        "```bash\n# install first\nnpm install\n```",
        "~~~\n###### not-a-cell.js\n```\n~~~",
        "````md\n```\n# Title inside\n```\n````",
        "```\n```",
    ]
)
markdown_block = st.one_of(word_text, word_text.map(lambda t: "## " + t), fenced_in_markdown)
markdown_text = st.lists(markdown_block, min_size=1, max_size=4).map("\n\n".join)
fences = st.sampled_from([None, "~~~", "````", "~~~~typescript", "```ts", "``` javascript"])


@st.composite
def notebooks(draw: st.DrawFn) -> Notebook:
    language = draw(st.sampled_from(["javascript", "typescript"]))
    extensions = ["ts", "mts"] if language == "typescript" else ["js", "mjs"]
    names = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), unique=True, max_size=5)
    )
    cells: list[MarkdownCell | CodeCell] = []
    for name in names:
        if draw(st.booleans()) and not (cells and isinstance(cells[-1], MarkdownCell)):
            cells.append(MarkdownCell(text=draw(markdown_text)))
        extension = draw(st.sampled_from([*extensions, "sh", "json"]))
        cells.append(
            CodeCell(filename=f"{name}.{extension}", source=draw(code_source), fence=draw(fences))
        )
    package = None
    if draw(st.booleans()):
        package = PackageJsonCell(
            source='{\n  "type": "module"\n}', fence=draw(st.sampled_from(["```json", "~~~json"]))
        )
    return Notebook(
        title=draw(word_text),
        language=language,
        metadata=f'{{"language":"{language}"}}',
        package_json=package,
        package_json_at=draw(st.integers(0, len(cells))) if package else 0,
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        cells=cells,
    )


def _content(notebook: Notebook) -> list[tuple[str, str]]:
    return [
        (c.filename, c.source) if isinstance(c, CodeCell) else ("markdown", c.text)
        for c in notebook.cells
    ]


@settings(max_examples=150, deadline=None)
@given(notebooks())
def test_generated_notebooks_round_trip(notebook: Notebook) -> None:
    text = encode(notebook)
    again = decode(text)
    assert _content(again) == _content(notebook)
    assert (again.title, again.newline) == (notebook.title, notebook.newline)
    assert again.package_json == notebook.package_json
    assert again.package_json_at == notebook.package_json_at
    assert encode(again) == text  # byte for byte, CRLF included
    if notebook.newline == "\r\n":
        lf = encode(notebook.model_copy(update={"newline": "\n"}))
        assert text == lf.replace("\n", "\r\n")
