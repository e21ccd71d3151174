"""What peragus answers with: one model per kind of result, shared by the CLI's `--output json`
and the server's REST replies, so a notebook reads the same from `peragus list -o json` and from
`GET /api/notebooks`.

The shape follows the suite's convention: the thing acted on sits under its singular noun
(``{"notebook": {...}}``), a list under the plural (``{"notebooks": [...]}``), extra facts beside
it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from peragus.notebooks.model import Language

__all__ = [
    "CellOutcome",
    "DeletedNotebook",
    "ExportedNotebook",
    "NotebookInfo",
    "NotebookList",
    "NotebookResult",
    "NotebookRun",
    "RunResult",
    "ServerInfo",
    "ServerResult",
]


class NotebookInfo(BaseModel):
    """A notebook as listed. One whose folder cannot be read is still listed, with ``error``, so
    a broken notebook is seen rather than silently missing.
    """

    name: str = Field(description="The folder's name; commands and URLs address it by this.")
    title: str = Field(description="The notebook's `# Title` (its name when it cannot be read).")
    language: Language | None = None
    cells: int | None = Field(default=None, description="Markdown and code cells.")
    folder: str = Field(description="Where the notebook's folder is.")
    modified: str | None = Field(
        default=None, description="When a cell or the notebook was last written (UTC, ISO 8601)."
    )
    error: str | None = Field(default=None, description="Why the folder could not be read.")


class NotebookList(BaseModel):
    notebooks: list[NotebookInfo]
    folder: str = Field(description="The notebooks folder.")


class NotebookResult(BaseModel):
    """A notebook created or imported."""

    notebook: NotebookInfo


class DeletedNotebook(BaseModel):
    notebook: NotebookInfo = Field(description="The notebook as it was before it moved.")
    moved_to: str = Field(description="Its folder under .trash/; move it back to undo.")


class ExportedNotebook(BaseModel):
    notebook: NotebookInfo
    src_md: str = Field(description="The notebook as one srcbook .src.md file.")
    out: str | None = Field(default=None, description="The file it was written to, if any.")


class CellOutcome(BaseModel):
    cell: str = Field(description="The cell's file name.")
    ok: bool
    exit_code: int | None = Field(description="node's exit code; null when it never ran.")
    timed_out: bool = False
    truncated: bool = Field(default=False, description="Output past the cap was cut.")
    duration_ms: float
    output: str = Field(description="stdout and stderr, interleaved as they came.")
    error: str | None = Field(default=None, description="Why the cell could not run at all.")


class NotebookRun(BaseModel):
    notebook: str = Field(description="The .src.md file or the notebook name that was run.")
    ok: bool
    cells: list[CellOutcome] = Field(description="The cells that ran, in order.")
    not_run: list[str] = Field(
        default_factory=list, description="Cells left out because an earlier one failed."
    )
    installed: list[str] = Field(
        default_factory=list, description="Packages npm installed before the run."
    )


class RunResult(BaseModel):
    run: NotebookRun


class ServerInfo(BaseModel):
    url: str = Field(description="Where the server listens.")
    login_url: str = Field(description="Opens the UI and sets the session cookie; valid once.")
    version: str
    pid: int


class ServerResult(BaseModel):
    server: ServerInfo
    already_running: bool = Field(description="True when this start found a server running.")
