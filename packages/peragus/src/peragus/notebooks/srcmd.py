"""The `.src.md` codec: decode to a Notebook, encode back to exactly the same bytes.

The rules are srcbook's: a header comment with the language (and tsconfig), one `# Title`,
`###### package.json` with a json fence, code cells as an h6 filename followed by a fence
(exported form) or by a paragraph that is only a link to the file (on-disk form), and everything
else markdown; cells are separated by one blank line and the file ends with one newline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from groundwork.errors import ExitCode, ToolError
from peragus.notebooks.model import (
    FILENAME,
    CodeCell,
    MarkdownCell,
    Notebook,
    PackageJsonCell,
    language_of,
)

__all__ = ["NotebookInvalid", "decode", "encode"]

_HEADER = re.compile(r"^<!--\s*srcbook:(\{.*\})\s*-->$")
_H6 = re.compile(r"^###### (\S.*?)\s*$")
_LINK = re.compile(r"^\[([^\]]+)\]\(\./(?:src/)?([^)]+)\)$")
FENCE_LANG = {"javascript": "javascript", "typescript": "typescript"}

ReadFile = Callable[[str], str]


class NotebookInvalid(ToolError):
    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(
            "PERAGUS_NOTEBOOK_INVALID",
            f"{source}:{line}: {problem}",
            suggestions=["Fix that line of the notebook, then open or import it again."],
            context={"line": line},
            exit_code=ExitCode.USAGE,
        )
        self.line = line


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def decode(text: str, source: str = "notebook", read_file: ReadFile | None = None) -> Notebook:
    """Parse a notebook; ``read_file`` supplies linked cells' contents (on-disk form)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not _HEADER.match(lines[0]):
        raise NotebookInvalid(source, 1, 'the first line must be <!-- srcbook:{"language":...} -->')
    metadata = _HEADER.match(lines[0]).group(1)  # type: ignore[union-attr]
    try:
        header = json.loads(metadata)
    except json.JSONDecodeError as exc:
        raise NotebookInvalid(
            source, 1, f"the srcbook header is not valid JSON: {exc.msg}"
        ) from None
    language = header.get("language")
    if language not in ("javascript", "typescript"):
        raise NotebookInvalid(
            source, 1, f"language must be javascript or typescript, not {language!r}"
        )

    i = 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not lines[i].startswith("# "):
        raise NotebookInvalid(source, i + 1, "the notebook must start with one '# Title' line")
    title = lines[i][2:].strip()
    i += 1

    notebook = Notebook(title=title, language=language, metadata=metadata)
    markdown: list[str] = []

    def flush(at: int) -> None:
        body = _strip_blank(markdown)
        markdown.clear()
        if body:
            if any(line.startswith("# ") for line in body):
                raise NotebookInvalid(
                    source, at, "only one '# Title' is allowed, and it comes first"
                )
            notebook.cells.append(MarkdownCell(text="\n".join(body)))

    while i < len(lines):
        h6 = _H6.match(lines[i])
        if not h6:
            markdown.append(lines[i])
            i += 1
            continue
        name, start = h6.group(1), i + 1
        j = start
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and lines[j].startswith("```"):
            end = j + 1
            while end < len(lines) and lines[end] != "```":
                end += 1
            if end >= len(lines):
                raise NotebookInvalid(source, j + 1, f"the code fence of {name} is never closed")
            body = "\n".join(lines[j + 1 : end])
            next_i = end + 1
        elif j < len(lines) and (link := _LINK.match(lines[j].strip())):
            if read_file is None:
                raise NotebookInvalid(
                    source, j + 1, f"{name} links to a file; open the notebook folder instead"
                )
            body = read_file(link.group(2))
            next_i = j + 1
        else:
            raise NotebookInvalid(
                source,
                i + 1,
                f"'###### {name}' must be followed by a code fence or a link to its file",
            )
        flush(i + 1)
        if name == "package.json":
            if notebook.package_json is not None or notebook.cells:
                raise NotebookInvalid(
                    source, i + 1, "package.json must come once, right after the title"
                )
            notebook.package_json = PackageJsonCell(source=body)
        else:
            if not FILENAME.match(name):
                raise NotebookInvalid(
                    source, i + 1, f"{name!r} is not a valid cell file name (like index.ts)"
                )
            if language_of(name) != language:
                raise NotebookInvalid(
                    source, i + 1, f"{name} is not a {language} file, as the notebook is"
                )
            if notebook.cell(name) is not None:
                raise NotebookInvalid(source, i + 1, f"two cells are named {name}")
            notebook.cells.append(CodeCell(filename=name, source=body))
        i = next_i
    flush(len(lines))
    return notebook


def encode(notebook: Notebook, *, inline: bool = True) -> str:
    """The `.src.md` text; ``inline=False`` writes the on-disk form with links to the files."""
    metadata = notebook.metadata or json.dumps(
        {"language": notebook.language}, separators=(",", ":")
    )
    parts = [f"<!-- srcbook:{metadata} -->", f"# {notebook.title}"]
    if notebook.package_json is not None:
        body = (
            f"```json\n{notebook.package_json.source}\n```"
            if inline
            else "[package.json](./package.json)"
        )
        parts.append(f"###### package.json\n\n{body}")
    for cell in notebook.cells:
        if isinstance(cell, MarkdownCell):
            parts.append(cell.text)
        else:
            fence = FENCE_LANG[cell.language]
            body = (
                f"```{fence}\n{cell.source}\n```"
                if inline
                else f"[{cell.filename}](./src/{cell.filename})"
            )
            parts.append(f"###### {cell.filename}\n\n{body}")
    return "\n\n".join(parts) + "\n"
