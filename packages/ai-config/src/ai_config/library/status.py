"""`library status`: where the base is, and how each personal file stands against upstream.

Each override is compared from the base revision it was forked from to upstream, with git's
rename detection: a file upstream renamed is ``renamed-upstream`` (the update moves the override
with it), one upstream deleted is ``removed-upstream``. One `git diff` per distinct fork
revision, however many overrides share it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ai_config.library.git import Change
from ai_config.library.gitscan import branch_state
from ai_config.library.index import Scan
from ai_config.library.models import LibraryStatus, OverrideState, OverrideStatus, UnsafeLink
from ai_config.sync.copies import is_conflict_copy

if TYPE_CHECKING:
    from ai_config.library.store import Library

__all__ = ["status"]


def status(
    lib: Library, *, fetch: bool = False, scans: dict[Path, Scan] | None = None
) -> LibraryStatus:
    lib.require()
    if fetch and lib.upstream() is not None:
        lib.base.run("fetch", "-q", token_url=lib.library_url())
    scans = scans if scans is not None else lib.scans()
    base, personal = scans[lib.base_dir], scans[lib.personal_dir]
    unsafe = []
    for layer, scan in scans.items():
        name = {lib.base_dir: "base", lib.personal_dir: "personal"}.get(layer, layer.name)
        unsafe += [UnsafeLink(path=p, library=name, target=t) for p, t in scan.outside.items()]
    branch = branch_state(base.status_text)
    forks = lib.forks()
    conflicts = lib.conflicts.load()
    copies = {c.copy for c in conflicts.values() if c.copy}
    compare_to = branch.head
    if branch.upstream and forks:
        compare_to = lib.base.out("rev-parse", "@{u}")
    changes: dict[str, dict[str, Change]] = {}
    overrides = []
    for rel, state in sorted(personal.files.items()):
        if rel in copies or is_conflict_copy(rel):
            continue  # not a library file: a copy waiting beside a conflict or for sync merge
        forked = forks.get(rel)
        renamed_to = None
        recorded = conflicts.get(rel)
        if state.conflict or (recorded is not None and recorded.kind == "binary"):
            kind: OverrideState = "conflict"
        elif forked is None:
            kind = "override" if rel in base.files else "personal-only"
        else:
            if forked not in changes:
                changes[forked] = lib.base.changes(forked, compare_to)
            change = changes[forked].get(rel)
            if change is not None and change.kind == "renamed":
                kind, renamed_to = "renamed-upstream", change.path
            elif (change is not None and change.kind == "deleted") or rel not in base.files:
                kind = "removed-upstream"
            else:
                kind = "base-changed" if change is not None else "clean"
        overrides.append(
            OverrideStatus(
                path=rel,
                state=kind,
                forked_from=forked,
                renamed_to=renamed_to,
                upstream_copy=recorded.copy if recorded is not None else None,
            )
        )
    base_pin = lib.read_lock().sources.get("base")
    return LibraryStatus(
        base_dir=lib.base_dir,
        personal_dir=lib.personal_dir,
        base_revision=branch.head,
        pinned=base_pin.revision if base_pin else None,
        upstream=branch.upstream,
        ahead=branch.ahead,
        behind=branch.behind,
        base_edited_in_place=not branch.clean,
        files=len(set(base.files) | set(personal.files)),
        files_reread=base.reread + personal.reread,
        overrides=overrides,
        unsafe_links=unsafe,
    )
