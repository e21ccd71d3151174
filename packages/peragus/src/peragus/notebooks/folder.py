"""The on-disk form: a folder per notebook that is also a valid npm project.

README.md holds the notebook with links to its cells; src/ holds the cell files; package.json and
tsconfig.json sit at the top. Every file is written atomically, so a crash mid-save leaves each
file either as it was or as it should be.
"""

from __future__ import annotations

import json
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.state import atomic_write_text
from peragus.notebooks.model import Notebook
from peragus.notebooks.srcmd import decode, encode

__all__ = ["read_folder", "write_folder"]


def write_folder(notebook: Notebook, folder: Path) -> None:
    (folder / "src").mkdir(parents=True, exist_ok=True)
    if notebook.package_json is not None:
        atomic_write_text(folder / "package.json", notebook.package_json.source)
    if notebook.language == "typescript":
        tsconfig = notebook.tsconfig or {
            "compilerOptions": {
                "module": "nodenext",
                "moduleResolution": "nodenext",
                "target": "es2022",
                "strict": True,
                "skipLibCheck": True,
                "noEmit": True,
            }
        }
        atomic_write_text(folder / "tsconfig.json", json.dumps(tsconfig, indent=2) + "\n")
    names = set()
    for cell in notebook.code_cells():
        atomic_write_text(folder / "src" / cell.filename, cell.source)
        names.add(cell.filename)
    for stale in (folder / "src").iterdir():
        if stale.is_file() and stale.name not in names:
            stale.unlink()
    atomic_write_text(folder / "README.md", encode(notebook, inline=False))


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
        return path.read_text(encoding="utf-8")

    return decode(readme.read_text(encoding="utf-8"), str(readme), read)
