"""The `.src.md` codec: decode to a Notebook, encode back to the same bytes.

Decoding reads the file with a markdown lexer (markdown-it, CommonMark), as srcbook reads it with
marked: only top-level blocks give the notebook its structure, so a `# comment` or a
`###### x.js` line inside a fence is code, never a title or a cell. The structure is srcbook's:
the `<!-- srcbook:{...} -->` header among the HTML blocks, one `# Title` first, code cells as an
h6 file name followed by a fence (exported form) or by a paragraph that is only a link to the file
(on-disk form), package.json once (anywhere, as srcbook allows), and everything between them
markdown.

Encoding writes srcbook's layout (header, title, cells joined by a blank line, one final newline)
and keeps what srcbook's encoder would lose: each fence as it was opened (```` ```` ````, `~~~`,
its info string), lengthened only when a cell's source would close it; where package.json sat;
CRLF line endings. Markdown cells keep their exact text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from groundwork.errors import ExitCode, ToolError
from peragus.notebooks.model import (
    CELL_NAME,
    CodeCell,
    Language,
    MarkdownCell,
    Newline,
    Notebook,
    PackageJsonCell,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["NotebookInvalid", "canonical_fence", "decode", "encode"]

_HEADER = re.compile(r"^<!--\s*srcbook:(.+?)\s*-->$")
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_EXAMPLE_HEADER = '<!-- srcbook:{"language":"typescript"} -->'

ReadFile = Callable[[str], str]


class NotebookInvalid(ToolError):
    """A `.src.md` that cannot be a notebook: names the line, what is wrong and what to change."""

    def __init__(self, source: str, line: int, problem: str, fix: str | None = None) -> None:
        super().__init__(
            "PERAGUS_NOTEBOOK_INVALID",
            f"{source}:{line}: {problem}",
            suggestions=[fix or "Fix that line of the notebook, then open or import it again."],
            context={"line": line},
            exit_code=ExitCode.USAGE,
        )
        self.line = line


@cache
def _lexer() -> MarkdownIt:
    from markdown_it import MarkdownIt  # only decoding needs it; listing folders decodes too

    return MarkdownIt("commonmark")


@dataclass
class _Block:
    """A top-level markdown block: 0-based lines [start, end)."""

    kind: Literal["title", "filename", "fence", "link", "html", "other"]
    start: int
    end: int
    text: str = ""
    token: Token | None = None


def _link_target(inline: Token) -> str | None:
    """The target of a paragraph that is only a link (a cell's file, in the on-disk form)."""
    children = inline.children or []
    if (
        len(children) >= 2
        and children[0].type == "link_open"
        and children[-1].type == "link_close"
        and not any(c.type in ("link_open", "link_close") for c in children[1:-1])
    ):
        href = children[0].attrGet("href")
        return str(href) if href is not None else None
    return None


def _blocks(text: str) -> list[_Block]:
    # A lone \r ends a line for markdown-it but not for us: the lexer sees a space instead, so
    # its line numbers are ours.
    tokens = _lexer().parse(text.replace("\r", " "))
    blocks: list[_Block] = []
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        if token.type == "heading_open" and token.tag in ("h1", "h6"):
            kind: Literal["title", "filename"] = "title" if token.tag == "h1" else "filename"
            blocks.append(_Block(kind, start, end, tokens[i + 1].content.strip()))
        elif token.type in ("fence", "code_block"):
            blocks.append(_Block("fence", start, end, token=token))
        elif token.type == "paragraph_open" and (href := _link_target(tokens[i + 1])) is not None:
            blocks.append(_Block("link", start, end, href))
        elif token.type == "html_block":
            blocks.append(_Block("html", start, end, token.content.strip()))
        else:
            blocks.append(_Block("other", start, end))
    return blocks


def _fence_source(block: _Block, lines: list[str]) -> tuple[str, str | None]:
    """The code inside a fence, and its opening line (None when it cannot be kept as is)."""
    token = block.token
    assert token is not None
    if token.type == "code_block":  # an indented block: srcbook takes it too; it becomes a fence
        return token.content.removesuffix("\n"), None
    opening = lines[block.start]
    if opening.startswith(" "):
        # markdown-it strips the fence's indentation from each line; so does srcbook's lexer.
        return token.content.removesuffix("\n"), None
    close = block.end
    if block.end - block.start >= 2:
        last = _FENCE_LINE.match(lines[block.end - 1])
        if last and last.group(1)[0] == token.markup[0] and len(last.group(1)) >= len(token.markup):
            close = block.end - 1
    return "\n".join(lines[block.start + 1 : close]), opening


def _newline(text: str) -> Newline:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf == text.count("\n") else "\n"


def canonical_fence(filename: str) -> str:
    """The fence srcbook's encoder writes for a cell: its language, from the file name."""
    if filename == "package.json":
        return "```json"
    extension = filename.rsplit(".", 1)[-1]
    if extension in ("js", "cjs", "mjs", "ts", "cts", "mts"):
        return "```" + ("typescript" if extension in ("ts", "cts", "mts") else "javascript")
    return "```" + (extension if extension != filename else "")


def _header(blocks: list[_Block], source: str) -> tuple[_Block, str, Language]:
    for block in blocks:
        if block.kind == "html" and (match := _HEADER.match(block.text)):
            metadata, line = match.group(1), block.start + 1
            try:
                header = json.loads(metadata)
            except json.JSONDecodeError as exc:
                raise NotebookInvalid(
                    source,
                    line,
                    f"the srcbook header is not valid JSON: {exc.msg} (column {exc.colno})",
                    f"Write it as {_EXAMPLE_HEADER}.",
                ) from None
            language = header.get("language") if isinstance(header, dict) else None
            if language not in ("javascript", "typescript"):
                raise NotebookInvalid(
                    source,
                    line,
                    f"the srcbook header's language must be javascript or typescript,"
                    f" not {language!r}",
                    'Set "language" to "typescript" or "javascript".',
                )
            return block, metadata, language
    raise NotebookInvalid(
        source,
        1,
        "there is no srcbook header comment, so this is not a srcbook notebook",
        f"Add {_EXAMPLE_HEADER} as the first line.",
    )


def decode(text: str, source: str = "notebook", read_file: ReadFile | None = None) -> Notebook:
    """Parse a notebook; ``read_file`` supplies linked cells' contents (on-disk form)."""
    newline = _newline(text)
    if newline == "\r\n":
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    blocks = _blocks(text)
    header, metadata, language = _header(blocks, source)
    blocks.remove(header)
    hidden = set(range(header.start, header.end))

    notebook = Notebook(title="", language=language, metadata=metadata, newline=newline)
    names: dict[str, int] = {}
    package_line: int | None = None
    title_line: int | None = None
    gap_start = 0

    def markdown_until(end: int) -> None:
        """The lines since the last structural block, less the header, form a markdown cell."""
        body = [lines[n] for n in range(gap_start, end) if n not in hidden]
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        if not body:
            return
        if title_line is None:
            line = next(n for n in range(gap_start, end) if n not in hidden and lines[n].strip())
            raise NotebookInvalid(
                source,
                line + 1,
                "the notebook must start with its '# Title', but this comes first",
                "Move this text below the '# Title' line (or add a title above it).",
            )
        notebook.cells.append(MarkdownCell(text="\n".join(body)))

    i = 0
    while i < len(blocks):
        block = blocks[i]
        line = block.start + 1
        if block.kind == "title":
            markdown_until(block.start)
            if title_line is not None:
                raise NotebookInvalid(
                    source,
                    line,
                    f"a second '# ' title (the first is on line {title_line})",
                    "A notebook has one title: make this heading '## ' or lower.",
                )
            title_line = line
            notebook.title = block.text
            gap_start = block.end
            i += 1
            continue
        if block.kind != "filename":
            i += 1
            continue
        name = block.text
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        between = following.start if following is not None else len(lines)
        if (
            following is None
            or following.kind not in ("fence", "link")
            or any(lines[n].strip() for n in range(block.end, between) if n not in hidden)
        ):
            raise NotebookInvalid(
                source,
                line,
                f"'###### {name}' is a code cell's name, but no code fence or link to its file"
                " follows it",
                f"Put the code in a ``` fence right after it, or make it '##### {name}' if it"
                " is only a heading.",
            )
        markdown_until(block.start)
        if title_line is None:
            raise NotebookInvalid(
                source,
                line,
                "the notebook must start with its '# Title', but this cell comes first",
                "Add a '# Title' line above the first cell.",
            )
        if following.kind == "link":
            if read_file is None:
                raise NotebookInvalid(
                    source,
                    following.start + 1,
                    f"{name} links to its file ({following.text}), so this is a notebook"
                    " folder's README.md",
                    "Open the notebook folder instead, or export it: peragus export NAME.",
                )
            body, fence = read_file(following.text.removeprefix("./").removeprefix("src/")), None
        else:
            body, fence = _fence_source(following, lines)
        if name == "package.json":
            if package_line is not None:
                raise NotebookInvalid(
                    source,
                    line,
                    f"a second package.json (the first is on line {package_line})",
                    "Merge the two into one package.json cell.",
                )
            package_line = line
            notebook.package_json = PackageJsonCell(source=body, fence=fence or "```json")
            notebook.package_json_at = len(notebook.cells)
        else:
            if not CELL_NAME.match(name):
                raise NotebookInvalid(
                    source,
                    line,
                    f"{name!r} cannot be a cell's file name",
                    "Name the cell like a file: letters, digits, '.', '-' and '_' (index.ts).",
                )
            if name in names:
                raise NotebookInvalid(
                    source,
                    line,
                    f"two cells are named {name} (the first on line {names[name]})",
                    "Rename one of them: each cell is a file in the notebook's src/ folder.",
                )
            names[name] = line
            if fence == canonical_fence(name):
                fence = None
            notebook.cells.append(CodeCell(filename=name, source=body, fence=fence))
        gap_start = following.end
        i += 2
    markdown_until(len(lines))
    if title_line is None:
        raise NotebookInvalid(
            source, 1, "the notebook has no '# Title' line", "Add '# Title' after the header."
        )
    return notebook


def _safe_fence(opening: str, source: str) -> str:
    """``opening``, lengthened until no line of ``source`` would close it."""
    marker_match = re.match(r"`{3,}|~{3,}", opening)
    assert marker_match is not None
    marker, info = marker_match.group(0), opening[marker_match.end() :]
    longest = 0
    for line in source.split("\n"):
        match = _FENCE_LINE.match(line)
        if match and match.group(1)[0] == marker[0]:
            longest = max(longest, len(match.group(1)))
    if longest >= len(marker):
        marker = marker[0] * (longest + 1)
    return marker + info


def _fenced(opening: str, source: str) -> str:
    opening = _safe_fence(opening, source)
    closing = re.match(r"`+|~+", opening).group(0)  # type: ignore[union-attr]
    return f"{opening}\n{source}\n{closing}"


def encode(notebook: Notebook, *, inline: bool = True) -> str:
    """The `.src.md` text; ``inline=False`` writes the on-disk form with links to the files."""
    metadata = notebook.metadata or json.dumps(
        {"language": notebook.language}, separators=(",", ":")
    )
    cells: list[str] = []
    for cell in notebook.cells:
        if isinstance(cell, MarkdownCell):
            cells.append(cell.text)
            continue
        fence = cell.fence or canonical_fence(cell.filename)
        body = (
            _fenced(fence, cell.source) if inline else f"[{cell.filename}](./src/{cell.filename})"
        )
        cells.append(f"###### {cell.filename}\n\n{body}")
    if notebook.package_json is not None:
        package = notebook.package_json
        body = (
            _fenced(package.fence, package.source) if inline else "[package.json](./package.json)"
        )
        at = min(notebook.package_json_at, len(cells))
        cells.insert(at, f"###### package.json\n\n{body}")
    parts = [f"<!-- srcbook:{metadata} -->", f"# {notebook.title}", *cells]
    text = "\n\n".join(parts).rstrip() + "\n"  # srcbook's encoder ends every file so
    if notebook.newline == "\r\n":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text
