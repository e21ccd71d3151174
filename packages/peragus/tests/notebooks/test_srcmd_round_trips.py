"""The .src.md format: srcbook's files decode and encode back to the same bytes, in both forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peragus.notebooks.folder import read_folder, write_folder
from peragus.notebooks.model import CodeCell, MarkdownCell, Notebook, PackageJsonCell
from peragus.notebooks.srcmd import NotebookInvalid, decode, encode

REFERENCE = Path(__file__).parents[1] / "fixtures" / "srcbook"
FILES = [REFERENCE / "getting-started.src.md", REFERENCE / "srcbook.src.md"]
JS = '<!-- srcbook:{"language":"javascript"} -->\n\n# T\n\n'


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_reference_files_round_trip_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    notebook = decode(text, str(path))
    assert encode(notebook) == text


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_folder_form_round_trips_too(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    notebook = decode(text, str(path))
    write_folder(notebook, tmp_path / "nb")
    assert (tmp_path / "nb" / "package.json").is_file()
    readme = (tmp_path / "nb" / "README.md").read_text()
    assert "](./src/" in readme and "```javascript\n//" not in readme.split("## ")[0]
    again = read_folder(tmp_path / "nb")
    assert encode(again) == text
    write_folder(again, tmp_path / "nb")
    assert (tmp_path / "nb" / "README.md").read_text() == readme


def test_saving_an_edit_rewrites_only_the_files_it_changed(tmp_path: Path) -> None:
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


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# no header\n", 1, "first line"),
        ('<!-- srcbook:{"language":"ruby"} -->\n\n# T\n', 1, "javascript or typescript"),
        (
            JS + "###### a.js\n\ntext\n",
            5,
            "code fence",
        ),
        (
            JS + "###### a.ts\n\n```typescript\nx\n```\n",
            5,
            "not a javascript",
        ),
        (
            JS + "###### a.js\n\n```javascript\nx\n",
            7,
            "never closed",
        ),
    ],
)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(NotebookInvalid) as invalid:
        decode(text, "bad.src.md")
    assert invalid.value.line == line
    assert words in invalid.value.message


safe_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="`#"),
        min_size=1,
        max_size=60,
    )
    .map(lambda s: s.strip())
    .filter(bool)
)
code_text = st.lists(safe_text, min_size=1, max_size=5).map("\n".join)


@st.composite
def notebooks(draw: st.DrawFn) -> Notebook:
    language = draw(st.sampled_from(["javascript", "typescript"]))
    extension = "ts" if language == "typescript" else "mjs"
    cells: list[MarkdownCell | CodeCell] = []
    names = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), unique=True, max_size=4)
    )
    for name in names:
        if draw(st.booleans()):
            cells.append(MarkdownCell(text=draw(safe_text)))
        cells.append(CodeCell(filename=f"{name}.{extension}", source=draw(code_text)))
    package = PackageJsonCell(source='{\n  "type": "module"\n}') if draw(st.booleans()) else None
    return Notebook(
        title=draw(safe_text),
        language=language,
        metadata=f'{{"language":"{language}"}}',
        package_json=package,
        cells=cells,
    )


@settings(max_examples=60, deadline=None)
@given(notebooks())
def test_generated_notebooks_round_trip(notebook: Notebook) -> None:
    text = encode(notebook)
    again = decode(text)
    assert again == notebook
    assert encode(again) == text
