"""The on-disk form: a folder per notebook that is also a valid npm project.

README.md holds the notebook with links to its cells; src/ holds the cell files; package.json and
tsconfig.json sit at the top. A link has no fence, so fences that are not srcbook's usual ones
(four backticks, tildes, another info string) are kept in `.peragus/fences.json`, and exporting
gives back the file as it was imported.

Every file is written atomically, so a crash mid-save leaves each file either as it was or as it
should be. The temporary file of a write lives in `.peragus/tmp/`, never beside the file (src/ is
an npm project's folder, and a kill -9 mid-write would leave it there); the server empties that
folder when it starts. A save rewrites only the files whose text changed: the server saves on
every edit, and one edited cell should cost one write, not one per cell.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from peragus.notebooks.model import CodeCell, Notebook
from peragus.notebooks.srcmd import NotebookInvalid, decode, encode

__all__ = [
    "DEFAULT_TSCONFIG",
    "TEMPORARIES",
    "read_folder",
    "read_notebook_text",
    "remove_temporaries",
    "tsconfig_text",
    "write_folder",
]

FENCES = Path(".peragus") / "fences.json"
TEMPORARIES = Path(".peragus") / "tmp"


def read_notebook_text(path: Path) -> str:
    """A notebook file's exact text (CRLF stays CRLF); bytes that are not UTF-8 are an error
    naming their line.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotebookInvalid(str(path), line, "this is not UTF-8 text") from None
    return text


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(folder: Path, path: Path, text: str) -> None:
    """``path`` (inside the notebook ``folder``) atomically, its temporary in TEMPORARIES."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    scratch = folder / TEMPORARIES
    scratch.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=scratch)
    try:
        os.fchmod(fd, 0o644 & ~_umask())
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        Path(name).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(name).unlink()
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_temporaries(folder: Path) -> list[Path]:
    """Writes a kill left unfinished: TEMPORARIES' files, and those older releases of peragus
    wrote beside the file (``.README.md.x1y2.tmp``: a cell's name never starts with a dot).
    """
    found = [p for p in (folder / TEMPORARIES).glob("*") if p.is_file()]
    for where in (folder, folder / "src"):
        found += [p for p in where.glob(".*.tmp") if p.is_file()]
    for path in found:
        path.unlink(missing_ok=True)
    return found


DEFAULT_TSCONFIG = {
    "compilerOptions": {
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "target": "es2022",
        "strict": True,
        "skipLibCheck": True,
        "resolveJsonModule": True,
        "allowImportingTsExtensions": True,  # cells import siblings as './util.ts', as in srcbook
        "noEmit": True,
    },
    "include": ["src/**/*"],
}


def tsconfig_text(notebook: Notebook) -> str | None:
    """A TypeScript notebook's tsconfig.json: the header's, else srcbook-like defaults."""
    if notebook.language != "typescript":
        return None
    return json.dumps(notebook.tsconfig or DEFAULT_TSCONFIG, indent=2) + "\n"


def write_folder(notebook: Notebook, folder: Path) -> None:
    (folder / "src").mkdir(parents=True, exist_ok=True)
    if notebook.package_json is not None:
        _write(folder, folder / "package.json", notebook.package_json.source)
    text = tsconfig_text(notebook)
    if text is not None:
        _write(folder, folder / "tsconfig.json", text)
    names = set()
    for cell in notebook.code_cells():
        _write(folder, folder / "src" / cell.filename, cell.source)
        names.add(cell.filename)
    for stale in (folder / "src").iterdir():
        if stale.is_file() and stale.name not in names:
            stale.unlink()
    _write(folder, folder / "README.md", encode(notebook, inline=False))
    fences = {c.filename: c.fence for c in notebook.code_cells() if c.fence is not None}
    if notebook.package_json is not None and notebook.package_json.fence != "```json":
        fences["package.json"] = notebook.package_json.fence
    kept = folder / FENCES
    if fences:
        kept.parent.mkdir(exist_ok=True)
        _write(folder, kept, json.dumps(fences, indent=2) + "\n")
    else:
        kept.unlink(missing_ok=True)


def _with_fences(notebook: Notebook, folder: Path) -> Notebook:
    try:
        fences = json.loads((folder / FENCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return notebook  # none kept, or unreadable: srcbook's usual fences
    if not isinstance(fences, dict):
        return notebook
    cells = [
        c.model_copy(update={"fence": fences[c.filename]})
        if isinstance(c, CodeCell) and isinstance(fences.get(c.filename), str)
        else c
        for c in notebook.cells
    ]
    package = notebook.package_json
    if package is not None and isinstance(fences.get("package.json"), str):
        package = package.model_copy(update={"fence": fences["package.json"]})
    return notebook.model_copy(update={"cells": cells, "package_json": package})


def read_folder(folder: Path) -> Notebook:
    readme = folder / "README.md"
    if not readme.is_file():
        raise ToolError(
            "PERAGUS_NOTEBOOK_NOT_FOUND",
            f"{folder} is not a notebook folder (it has no README.md).",
            suggestions=["List your notebooks: peragus list"],
            exit_code=ExitCode.NOT_FOUND,
        )

    def read(rel: str) -> str:
        path = (folder / rel) if rel == "package.json" else (folder / "src" / rel)
        if not path.resolve().is_relative_to(folder.resolve()) or not path.is_file():
            raise ToolError(
                "PERAGUS_CELL_FILE_MISSING",
                f"{readme} links to {rel}, which is not in the notebook folder.",
                suggestions=[f"Restore {path}, or remove its cell from README.md."],
                exit_code=ExitCode.NOT_FOUND,
            )
        return read_notebook_text(path)

    return _with_fences(decode(read_notebook_text(readme), str(readme), read), folder)
