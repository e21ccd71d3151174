"""Two machines' personal libraries synced by real Syncthing: a conflict copy it makes is
merged three-way by ai-config, and the merge syncs back.

Two Syncthing instances run on loopback (their own homes and ports, REST on 127.0.0.1 with API
keys, no discovery, relays or NAT), sharing one folder; each "machine" is an ai-config home of
its own. Both change the same override while their devices are paused, so Syncthing makes a
real conflict copy when they meet again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REVIEWER = "roles/reviewer.md"


def ai_config(machine: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "ai_config", *args, "-o", "json"],
        env={
            **os.environ,
            "AI_CONFIG_HOME": str(machine / "aic"),
            "HOME": str(machine / "user"),
            "EDITOR": "true",
            "AI_CONFIG_KEYRING": "0",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return json.loads(done.stdout)


def copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("roles/*.sync-conflict-*"))


Wait = Callable[..., Any]


def test_a_syncthing_conflict_copy_is_merged_three_way_and_syncs_back(
    tmp_path: Path, upstream: Any, pair: tuple[Any, Any], edit: Any, wait_for: Wait
) -> None:
    laptop, desktop = pair
    on_laptop, on_desktop = tmp_path / "laptop", tmp_path / "desktop"
    laptop_lib = tmp_path / "laptop-sync" / "ai-config"
    desktop_lib = tmp_path / "desktop-sync" / "ai-config"

    ai_config(on_laptop, "init", "--library", str(upstream.bare))
    moved = ai_config(on_laptop, "sync", "use", str(laptop_lib))["personal"]
    assert (moved["how"], moved["folder"]["tool"]) == ("moved", "syncthing")
    ai_config(on_laptop, "library", "edit", REVIEWER)
    laptop.scan()
    wait_for(
        "the override to reach the desktop",
        lambda: (desktop_lib / REVIEWER).is_file() and desktop.idle(),
    )

    ai_config(on_desktop, "init", "--library", str(upstream.bare))
    adopted = ai_config(on_desktop, "sync", "use", str(desktop_lib))["personal"]
    assert (adopted["how"], adopted["folder"]["tool"]) == ("adopted", "syncthing")
    [override] = ai_config(on_desktop, "library", "status")["library"]["overrides"]
    assert (override["path"], override["state"]) == (REVIEWER, "clean")
    assert override["forked_from"] is not None  # the fork record travelled with the file

    # Apart, each machine changes a different line of the same file.
    laptop.pause(desktop)
    desktop.pause(laptop)
    edit(laptop_lib / REVIEWER, "one\n", "one (laptop)\n")
    edit(desktop_lib / REVIEWER, "five\n", "five (desktop)\n")
    laptop.scan()
    desktop.scan()
    laptop.resume(desktop)
    desktop.resume(laptop)
    wait_for(
        "Syncthing's conflict copy on both machines",
        lambda: (
            len(copies(laptop_lib)) == len(copies(desktop_lib)) == 1
            and laptop.idle()
            and desktop.idle()
        ),
        timeout=90,
    )
    [copy] = copies(laptop_lib)

    status = ai_config(on_laptop, "sync", "status")["sync"]
    assert status["folder"] == {"tool": "syncthing", "root": str(tmp_path / "laptop-sync")}
    assert status["conflict_copies"] == [
        {"path": f"roles/{copy.name}", "original": REVIEWER, "tool": "syncthing"}
    ]
    files = ai_config(on_laptop, "library", "files", "roles/*")["files"]
    assert [f["path"] for f in files] == [REVIEWER]  # the copy is no library file

    [merge] = ai_config(on_laptop, "sync", "merge")["merges"]
    assert merge == {
        "path": REVIEWER,
        "copy": f"roles/{copy.name}",
        "tool": "syncthing",
        "outcome": "merged",
    }
    merged = (laptop_lib / REVIEWER).read_text()
    assert "one (laptop)\n" in merged and "five (desktop)\n" in merged
    assert "<<<<<<<" not in merged
    assert copies(laptop_lib) == []
    [change] = ai_config(on_laptop, "logs", "--action", "sync merge")["changes"]
    assert change["outcome"] == "done" and len(change["backups"]) == 2
    backups = ai_config(on_laptop, "backup", "list")["backups"]
    assert {Path(b["source"]).name for b in backups if b["reason"] == "sync merge"} == {
        "reviewer.md",
        copy.name,
    }

    laptop.scan()
    wait_for(
        "the merge to reach the desktop",
        lambda: (
            (desktop_lib / REVIEWER).read_text() == merged
            and copies(desktop_lib) == []
            and desktop.idle()
        ),
    )
    desktop_status = ai_config(on_desktop, "sync", "status")["sync"]
    assert (desktop_status["conflict_copies"], desktop_status["conflicts"]) == ([], [])

    # Nothing in the shared folder is one machine's: no git history, no absolute paths.
    shared = sorted(
        p.relative_to(laptop_lib).as_posix() for p in laptop_lib.rglob("*") if p.is_file()
    )
    assert shared == [".ai-config/forks.json", REVIEWER]
    forks = json.loads((laptop_lib / ".ai-config" / "forks.json").read_text())
    assert list(forks) == [REVIEWER] and len(forks[REVIEWER]) == 40
    assert str(tmp_path) not in (laptop_lib / ".ai-config" / "forks.json").read_text()
