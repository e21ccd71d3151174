"""`ai-config sync use FOLDER`: put the personal library in a folder a sync tool shares.

The first machine moves its personal library there; another machine, whose personal library is
still empty, adopts the files the sync tool brought. Either way the personal history (`.git`)
stays on each machine, in ai-config's state folder: a sync tool carrying one `.git` between
machines that both commit would corrupt it. The folder then holds only library files and
``.ai-config/`` (fork records by relative path and revision, the update lock): nothing that is
true of one machine alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ai_config.library.store import SHARED_DIR
from ai_config.oserrors import write_failed
from ai_config.results import Result
from ai_config.settings import Settings
from ai_config.sync.copies import is_sync_tool_file
from ai_config.sync.where import SyncFolder, sync_folder
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["PersonalPlace", "use_folder"]


class PersonalPlace(Result):
    personal_dir: Path
    previous: Path
    how: Literal["moved", "adopted", "unchanged"] = Field(
        description="moved (this machine's files went there), adopted (the folder's files,"
        " synced from another machine, are now yours here) or unchanged (it was there already)"
    )
    git_dir: Path = Field(description="Where this machine keeps the personal history")
    folder: SyncFolder | None = Field(description="The sync tool sharing it, if one is found")


def _library_files(folder: Path) -> list[str]:
    """The files in ``folder`` that are library files (not git's, ai-config's or a tool's)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in (".git", SHARED_DIR) and not is_sync_tool_file(d)]
        found += [
            Path(root, name).relative_to(folder).as_posix()
            for name in files
            if not is_sync_tool_file(name)
        ]
    return found


def use_folder(lib: Library, folder: Path) -> PersonalPlace:
    lib.require()
    target = folder.expanduser().resolve()
    current = lib.personal_dir.resolve()
    if target == current:
        return PersonalPlace(
            personal_dir=target,
            previous=current,
            how="unchanged",
            git_dir=lib.personal_git_dir,
            folder=sync_folder(target),
        )
    if target.is_relative_to(current) or current.is_relative_to(target):
        raise ToolError(
            "AI_CONFIG_SYNC_FOLDER_OVERLAPS",
            f"{target} and the personal library ({current}) are inside one another.",
            suggestions=["Name a folder of its own, like ~/Sync/ai-config"],
            exit_code=ExitCode.USAGE,
        )
    if target.exists() and not target.is_dir():
        raise ToolError(
            "AI_CONFIG_SYNC_FOLDER_IS_A_FILE",
            f"{target} is a file, not a folder to keep the personal library in.",
            suggestions=[f"Name a folder, like {target.parent / 'ai-config'}"],
            context={"folder": str(target)},
            exit_code=ExitCode.USAGE,
        )
    theirs, mine = _library_files(target), _library_files(current)
    if theirs and mine:
        raise ToolError(
            "AI_CONFIG_SYNC_FOLDER_NOT_EMPTY",
            f"{target} holds library files already ({len(theirs)}, like {theirs[0]}), and so"
            f" does your personal library ({len(mine)}); ai-config will not mix the two.",
            suggestions=[
                "On a machine joining the team folder, start with an empty personal library:"
                " AI_CONFIG_HOME=... ai-config init, then ai-config sync use FOLDER",
                "Or name an empty folder (inside the synced one) to move yours into.",
            ],
            context={"folder": str(target)},
            exit_code=ExitCode.CONFLICT,
        )
    git_dir = lib.home / "state" / "personal.git"
    how: Literal["moved", "adopted"] = "adopted" if theirs else "moved"
    settings = Settings.file(lib.home)
    created = [p for p in (target, git_dir) if not p.exists()]
    try:
        _move(lib, target, current, git_dir, how, [settings, *created])
    except OSError as exc:  # the change is undone by then; say what refused it
        raise write_failed(
            exc,
            "put the personal library",
            target,
            "Name a folder you can write to (inside the one your sync tool shares).",
        ) from None
    shutil.rmtree(current, ignore_errors=True)
    return PersonalPlace(
        personal_dir=target,
        previous=current,
        how=how,
        git_dir=git_dir,
        folder=sync_folder(target),
    )


def _move(
    lib: Library,
    target: Path,
    current: Path,
    git_dir: Path,
    how: Literal["moved", "adopted"],
    touched: list[Path],
) -> None:
    theirs = how == "adopted"
    with lib.safety.change("sync use", touched, folder=str(target), previous=str(current), how=how):
        if not lib.forks_file.exists():
            atomic_write_json(lib.forks_file, lib.forks())  # from where ai-config 0.1 kept them
        target.mkdir(parents=True, exist_ok=True)
        if how == "moved":
            shutil.copytree(
                current, target, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True
            )
        if lib.personal_git_dir != git_dir:
            shutil.copytree(lib.personal_git_dir, git_dir, symlinks=True)
        Settings(personal_dir=target).save(lib.home)
        lib.index_file.unlink(missing_ok=True)  # sizes and times of the old folder's files
        moved = type(lib)(lib.home)
        moved.personal.commit_all(
            f"Personal library {'adopted' if theirs else 'moved'} at {target}"
        )
        if theirs and lib.upstream() is not None:
            # The other machine's fork records may name base revisions this clone has not
            # fetched yet; status compares against them.
            lib.base.run("fetch", "-q", token_url=lib.library_url(), check=False)
