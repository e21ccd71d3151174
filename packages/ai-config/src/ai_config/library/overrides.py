"""Personal files: make one (`edit`, `new`), drop one (`forget`), settle a conflict (`resolve`).

Each change backs up exactly the files it touches and commits to the personal repository; a
failure puts both back as they were.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from ai_config.library.index import CONFLICT_MARKER
from ai_config.library.models import OverrideStatus, Side
from ai_config.library.paths import contained, library_path
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write, atomic_write_json, atomic_write_text

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["edit", "forget", "new", "resolve"]


def _writable_target(lib: Library, rel: str) -> Path:
    """The personal path for ``rel``; a symlinked folder there must not carry a write outside."""
    parent = str(Path(rel).parent)
    if parent != ".":
        contained(lib.personal_dir, parent)
    return contained(lib.personal_dir, rel)


def edit(lib: Library, path: str, *, open_editor: bool = True) -> Path:
    lib.require()
    rel = library_path(path)
    target = _writable_target(lib, rel)
    source = next(
        (contained(layer, rel) for layer in reversed(lib.layers()) if (layer / rel).is_file()),
        None,
    )
    if not target.exists():
        if source is None:
            raise ToolError(
                "AI_CONFIG_LIBRARY_FILE_NOT_FOUND",
                f"The base library has no file {rel!r} to edit.",
                suggestions=[f"Create a personal file instead: ai-config library new {rel}"],
                exit_code=ExitCode.NOT_FOUND,
            )
        with lib.safety.change(
            "library edit", [target, lib.forks_file], repo=lib.personal, path=rel
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            if source.is_relative_to(lib.base_dir):
                # Only base files get three-way merges on update; a copy of a file from an
                # added source simply wins over it.
                forks = lib.forks()
                forks[rel] = lib.base.head()
                atomic_write_json(lib.forks_file, forks)
            lib.personal.commit_all(f"Override {rel}")
    if open_editor:
        _open_editor(target)
        lib.personal.commit_all(f"Edit {rel}")
    return target


def new(lib: Library, path: str, *, open_editor: bool = True) -> Path:
    lib.require()
    rel = library_path(path)
    target = _writable_target(lib, rel)
    if target.exists() or any((layer / rel).exists() for layer in lib.layers()):
        raise ToolError(
            "AI_CONFIG_LIBRARY_FILE_EXISTS",
            f"{rel} exists already.",
            suggestions=[f"Edit it instead: ai-config library edit {rel}"],
            exit_code=ExitCode.CONFLICT,
        )
    with lib.safety.change("library new", [target], repo=lib.personal, path=rel):
        target.parent.mkdir(parents=True, exist_ok=True)
        title = Path(rel).stem.replace("-", " ").replace("_", " ").capitalize()
        atomic_write_text(target, f"# {title}\n\n")
        lib.personal.commit_all(f"Add {rel}")
    if open_editor:
        _open_editor(target)
        lib.personal.commit_all(f"Edit {rel}")
    return target


def _open_editor(target: Path) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        return
    subprocess.run([*shlex.split(editor), str(target)], check=False)


def _personal_file(lib: Library, path: str) -> tuple[str, Path]:
    lib.require()
    rel = library_path(path)
    target = _writable_target(lib, rel)
    if not target.is_file():
        raise ToolError(
            "AI_CONFIG_NOT_AN_OVERRIDE",
            f"{rel} is not one of your personal files.",
            suggestions=["See them: ai-config library status"],
            context={"path": rel},
            exit_code=ExitCode.NOT_FOUND,
        )
    return rel, target


def forget(lib: Library, path: str) -> OverrideStatus:
    rel, target = _personal_file(lib, path)
    forks = lib.forks()
    conflicts = lib.conflicts.load()
    record = conflicts.get(rel)
    copy = lib.personal_dir / record.copy if record is not None and record.copy else None
    touched = [target, lib.forks_file, lib.conflicts.file, *([copy] if copy else [])]
    forgotten = OverrideStatus(path=rel, state="override", forked_from=forks.get(rel))
    with lib.safety.change("library forget", touched, repo=lib.personal, path=rel):
        target.unlink()
        if copy is not None:
            copy.unlink(missing_ok=True)
        if rel in forks:
            del forks[rel]
            atomic_write_json(lib.forks_file, forks)
        if record is not None:
            del conflicts[rel]
            lib.conflicts.save(conflicts)
        lib.personal.commit_all(f"Forget {rel}")
    return forgotten


def resolve(lib: Library, path: str, side: Side, *, merged: bytes | None = None) -> OverrideStatus:
    """``ours``: the personal file as it was before the update; ``theirs``: upstream's (or the
    other machine's, for a sync tool's conflict copy); ``merged``: the file as the user has
    edited it now (no markers left), or the ``merged`` bytes given (the TUI's merge editor:
    written inside the change, so the backup holds the file as it was, markers and all)."""
    rel, target = _personal_file(lib, path)
    conflicts = lib.conflicts.load()
    record = conflicts.get(rel)
    before = target.read_bytes()
    data = merged if merged is not None and side == "merged" else before
    has_markers = _has_markers(data)
    if record is None and not _has_markers(before):
        raise ToolError(
            "AI_CONFIG_NO_CONFLICT",
            f"{rel} has no conflict to resolve.",
            suggestions=["See which files do: ai-config library status"],
            context={"path": rel},
            exit_code=ExitCode.CONFLICT,
        )
    if side == "merged" and has_markers:
        raise ToolError(
            "AI_CONFIG_CONFLICT_MARKERS_LEFT",
            f"{rel} still has conflict markers (<<<<<<<), so it is not merged yet.",
            suggestions=[
                f"Edit {target}: keep what you want between the markers and delete the marker"
                " lines, then run this again.",
                f"Or keep one side whole: ai-config library resolve {rel} --ours (or --theirs)",
            ],
            context={"path": rel},
            exit_code=ExitCode.CONFLICT,
        )
    if side != "merged" and record is None:
        raise ToolError(
            "AI_CONFIG_CONFLICT_UNRECORDED",
            f"{rel} has conflict markers, but no update recorded them, so its two sides are"
            " not known.",
            suggestions=[
                f"Edit the markers by hand, then: ai-config library resolve {rel} --merged"
            ],
            exit_code=ExitCode.CONFLICT,
        )
    chosen = data
    if side == "ours" and record is not None:
        chosen = _blob(lib.personal.blob_by_id(record.ours), rel, "your version")
    elif side == "theirs" and record is not None:
        theirs = (
            lib.personal.blob_by_id(record.theirs_blob)
            if record.theirs_blob
            else lib.base.blob(record.theirs, rel)
        )
        chosen = _blob(theirs, rel, "the other side's version")
    copy = lib.personal_dir / record.copy if record is not None and record.copy else None
    touched = [target, lib.conflicts.file, *([copy] if copy else [])]
    with lib.safety.change(f"library resolve --{side}", touched, repo=lib.personal, path=rel):
        if chosen != before:
            atomic_write(target, chosen)
        if copy is not None:
            copy.unlink(missing_ok=True)
        if record is not None:
            del conflicts[rel]
            lib.conflicts.save(conflicts)
        lib.personal.commit_all(f"Resolve {rel} ({side})")
    return OverrideStatus(path=rel, state="clean", forked_from=lib.forks().get(rel))


def _has_markers(data: bytes) -> bool:
    return data.startswith(b"<<<<<<< ") or CONFLICT_MARKER in data


def _blob(data: bytes | None, rel: str, which: str) -> bytes:
    if data is None:
        raise ToolError(
            "AI_CONFIG_CONFLICT_SIDE_MISSING",
            f"{which} of {rel} is no longer stored, so it cannot be restored.",
            suggestions=[
                f"Edit the file by hand, then: ai-config library resolve {rel} --merged",
                "Or find it in the backups: ai-config backup list",
            ],
            exit_code=ExitCode.NOT_FOUND,
        )
    return data
