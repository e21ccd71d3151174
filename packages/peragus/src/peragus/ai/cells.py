"""Prompts with the notebook as context, and replies decoded back into cells.

The model sees and answers in the `.src.md` form, which it reads well and which our codec already
parses strictly, so a reply that is not a valid notebook fragment is an error, not a guess.
"""

from __future__ import annotations

import re

from groundwork.errors import ExitCode, ToolError
from peragus.ai.provider import complete
from peragus.notebooks.model import CodeCell, MarkdownCell, Notebook
from peragus.notebooks.srcmd import NotebookInvalid, decode, encode
from peragus.settings.store import AiSettings

__all__ = ["edit_cell", "fix_diagnostics", "generate_cells"]

_FORMAT = (
    "Notebooks are srcbook .src.md files: markdown cells are plain markdown (never a '# ' title);"
    " a code cell is a line '###### name.{ext}' followed by a blank line and a fenced code block."
    " Code cells are {language} ES modules run with Node.js; each cell runs on its own, and a cell"
    " may import exports of another cell with './name.js'."
)


def _format(notebook: Notebook) -> str:
    ext = "ts" if notebook.language == "typescript" else "mjs"
    return _FORMAT.replace("{ext}", ext).replace("{language}", notebook.language)


def _unwrap(reply: str) -> str:
    """Models often wrap the whole answer in one ```markdown fence; take what is inside."""
    outer = re.fullmatch(r"\s*```(?:markdown|md)?\n(.*)\n```\s*", reply, re.DOTALL)
    return outer.group(1) if outer else reply


def _bad_reply(problem: str) -> ToolError:
    return ToolError(
        "PERAGUS_AI_BAD_REPLY",
        f"The AI's reply is not notebook cells: {problem}.",
        suggestions=["Try again, or rephrase the request."],
        exit_code=ExitCode.FAILURE,
    )


def decode_cells(notebook: Notebook, reply: str) -> list[MarkdownCell | CodeCell]:
    header = notebook.metadata or f'{{"language":"{notebook.language}"}}'
    text = f"<!-- srcbook:{header} -->\n\n# reply\n\n{_unwrap(reply).strip()}\n"
    try:
        cells = decode(text, "the AI's reply").cells
    except NotebookInvalid as exc:
        raise _bad_reply(exc.message) from None
    if not cells:
        raise _bad_reply("it is empty")
    return cells


def generate_cells(
    notebook: Notebook, prompt: str, settings: AiSettings, key: str | None
) -> list[MarkdownCell | CodeCell]:
    system = (
        "You write cells for a notebook. "
        + _format(notebook)
        + " Answer only with the new cells in that form, nothing before or after."
    )
    user = f"The notebook so far:\n\n{encode(notebook)}\n\nWrite new cells that: {prompt}"
    return decode_cells(notebook, complete(settings, key, system, user))


def edit_cell(
    notebook: Notebook, filename: str, prompt: str, settings: AiSettings, key: str | None
) -> str:
    """The cell's new source."""
    system = (
        "You edit one code cell of a notebook. "
        + _format(notebook)
        + f" Answer only with the cell: the line '###### {filename}', a blank line, and the fence."
    )
    user = f"The notebook:\n\n{encode(notebook)}\n\nEdit the cell {filename} so that: {prompt}"
    for cell in decode_cells(notebook, complete(settings, key, system, user)):
        if isinstance(cell, CodeCell):
            return cell.source
    raise _bad_reply("it has no code cell")


def fix_diagnostics(
    notebook: Notebook,
    filename: str,
    diagnostics: str,
    settings: AiSettings,
    key: str | None,
) -> str:
    """The cell's source with the compiler's complaints fixed (srcbook's ai:fix_diagnostics)."""
    request = (
        "it no longer has these problems the TypeScript compiler reports, changing nothing"
        f" else:\n{diagnostics}"
    )
    return edit_cell(notebook, filename, request, settings, key)
