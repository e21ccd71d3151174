"""`ai-config sync status`: is the personal library in a sync tool's folder, and does
anything wait there (conflict copies to merge, conflicts to resolve, a lock left over)?"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from ai_config.library.store import UPDATE_LOCK
from ai_config.results import Result
from ai_config.sync.lock import LockInfo, lock_info
from ai_config.sync.merge import ConflictCopy, find_copies
from ai_config.sync.where import SyncFolder, sync_folder

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["SyncStatus", "sync_status"]


class SyncStatus(Result):
    personal_dir: Path
    git_dir: Path = Field(description="Where this machine keeps the personal history")
    folder: SyncFolder | None = Field(description="The sync tool sharing the personal library")
    conflict_copies: list[ConflictCopy] = Field(description="To merge: ai-config sync merge")
    conflicts: list[str] = Field(description="Files with conflicts to settle: library resolve")
    lock: LockInfo | None = Field(description="Who is updating the personal library now")

    @property
    def waiting(self) -> bool:
        return bool(self.conflict_copies or self.conflicts or (self.lock and self.lock.stale))


def sync_status(lib: Library) -> SyncStatus:
    lib.require()
    scan = lib.personal_scan()
    records = lib.conflicts.load()
    marked = {rel for rel, state in scan.files.items() if state.conflict}
    return SyncStatus(
        personal_dir=lib.personal_dir,
        git_dir=lib.personal_git_dir,
        folder=sync_folder(lib.personal_dir),
        conflict_copies=find_copies(lib),
        conflicts=sorted(marked | set(records)),
        lock=lock_info(lib.personal_dir / UPDATE_LOCK),
    )
