"""Where notebooks live: one folder each under the notebooks folder the user chose."""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from peragus.notebooks.folder import (
    read_folder,
    read_notebook_text,
    remove_temporaries,
    write_folder,
)
from peragus.notebooks.model import CodeCell, MarkdownCell, Notebook, PackageJsonCell
from peragus.notebooks.srcmd import decode, encode
from peragus.results import DeletedNotebook, NotebookInfo

__all__ = ["NotebookStore", "new_notebook"]

_TS_PACKAGE = {
    "type": "module",
    "dependencies": {},
    "devDependencies": {"tsx": "^4.19.0", "typescript": "^5.6.0", "@types/node": "^22.0.0"},
}


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "notebook"


def new_notebook(title: str, language: str) -> Notebook:
    typescript = language == "typescript"
    package = _TS_PACKAGE if typescript else {"type": "module", "dependencies": {}}
    extension = "ts" if typescript else "mjs"
    return Notebook(
        title=title,
        language="typescript" if typescript else "javascript",
        metadata=json.dumps({"language": language}, separators=(",", ":")),
        package_json=PackageJsonCell(source=json.dumps(package, indent=2)),
        cells=[
            MarkdownCell(text="Write notes in markdown cells, code in code cells."),
            CodeCell(filename=f"hello.{extension}", source='console.log("Hello from peragus");'),
        ],
    )


def _modified(folder: Path) -> str | None:
    """The latest write to the notebook's README.md or a cell file."""
    times = []
    for path in (folder / "README.md", *(folder / "src").glob("*")):
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            continue
    if not times:
        return None
    return datetime.fromtimestamp(max(times), UTC).isoformat(timespec="seconds")


class NotebookStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, name: str) -> Path:
        path = self.root / name
        if not (path / "README.md").is_file():
            names = [p.name for p in self.folders()]
            raise ToolError(
                "PERAGUS_NOTEBOOK_NOT_FOUND",
                f"No notebook named {name!r} in {self.root}.",
                suggestions=[
                    f"Notebooks: {', '.join(names)}" if names else "Create one: peragus new TITLE"
                ],
                exit_code=ExitCode.NOT_FOUND,
            )
        return path

    def folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if (p / "README.md").is_file())

    def info(self, folder: Path) -> NotebookInfo:
        modified = _modified(folder)
        try:
            notebook = read_folder(folder)
        except ToolError as exc:
            return NotebookInfo(
                name=folder.name,
                title=folder.name,
                folder=str(folder),
                modified=modified,
                error=exc.message,
            )
        return NotebookInfo(
            name=folder.name,
            title=notebook.title,
            language=notebook.language,
            cells=len(notebook.cells),
            folder=str(folder),
            modified=modified,
        )

    def remove_temporaries(self) -> list[Path]:
        """Every notebook's unfinished writes (a killed server's), removed."""
        return [path for folder in self.folders() for path in remove_temporaries(folder)]

    def infos(self) -> list[NotebookInfo]:
        return [self.info(path) for path in self.folders()]

    def save(self, notebook: Notebook, name: str | None = None) -> Path:
        base = name or _slug(notebook.title)
        target, n = self.root / base, 1
        while name is None and target.exists():
            n += 1
            target = self.root / f"{base}-{n}"
        private_dir(self.root)  # and peragus's folder above it, which holds its keys and token
        write_folder(notebook, target)
        return target

    def load(self, name: str) -> Notebook:
        return read_folder(self.folder(name))

    def import_source(self, specifier: str) -> Path:
        if specifier.startswith(("http://", "https://")):
            import httpx  # only an import from a URL pays for it

            try:
                reply = httpx.get(specifier, timeout=30, follow_redirects=True)
                reply.raise_for_status()
            except httpx.HTTPError as exc:
                raise ToolError(
                    "PERAGUS_IMPORT_FAILED",
                    f"Could not download {specifier}: {exc}.",
                    suggestions=["Check the URL, or download the file and import its path."],
                    exit_code=ExitCode.UNAVAILABLE,
                ) from None
            text, source = reply.text, specifier
        else:
            path = Path(specifier)
            if not path.is_file():
                raise ToolError(
                    "PERAGUS_IMPORT_FAILED",
                    f"{path} does not exist.",
                    suggestions=["Give the path of a .src.md file."],
                    exit_code=ExitCode.NOT_FOUND,
                )
            text, source = read_notebook_text(path), str(path)
        return self.save(decode(text, source))

    def export(self, name: str) -> str:
        return encode(self.load(name))

    def delete(self, name: str) -> DeletedNotebook:
        """Moves the folder to ``.trash/`` (not listed), so a deletion can be undone by hand."""
        folder = self.folder(name)
        before = self.info(folder)
        trash = self.root / ".trash" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(folder, trash)
        return DeletedNotebook(notebook=before, moved_to=str(trash))
