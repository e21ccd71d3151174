"""Team sync and profiles from the command line: where the personal library lives, conflict
copies of each sync tool, the update lock between machines, named profiles, and `ai-config tui`
where it cannot run."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ai_config.sync.copies import conflict_copy_of
from ai_config.sync.lock import STALE_AFTER, lock_info, update_lock
from ai_config.sync.where import sync_folder
from groundwork.errors import ToolError

InProcess = Callable[..., Any]


def doc(ran: Any) -> Any:
    return json.loads(ran.stdout)


@pytest.mark.parametrize(
    ("name", "original", "tool"),
    [
        ("roles/r.sync-conflict-20261129-171300-ABCDEF7.md", "roles/r.md", "syncthing"),
        ("Makefile.sync-conflict-20261129-171300-ABCDEF7", "Makefile", "syncthing"),
        ("r (conflicted copy 2026-11-29 171300).md", "r.md", "nextcloud"),
        ("r (conflicted copy alice 2026-11-29 171300).md", "r.md", "nextcloud"),
        ("r (Bob's conflicted copy 2026-11-29).md", "r.md", "dropbox"),
        ("a/r (Bob's conflicted copy 2026-11-29) (1).md", "a/r.md", "dropbox"),
    ],
)
def test_each_sync_tool_s_conflict_copy_is_told_from_its_name(
    name: str, original: str, tool: str
) -> None:
    assert conflict_copy_of(name) == (original, tool)


@pytest.mark.parametrize(
    "name", ["roles/r.md", "sync-conflict.md", "notes (copy).md", "r.sync-conflict-2026.md"]
)
def test_other_names_are_no_conflict_copies(name: str) -> None:
    assert conflict_copy_of(name) is None


@pytest.mark.parametrize(
    ("mark", "tool"),
    [
        (".stfolder/", "syncthing"),
        (".sync_2f3a1b.db", "nextcloud"),
        (".nextcloudsync.log", "nextcloud"),
        (".dropbox", "dropbox"),
    ],
)
def test_the_sync_tool_is_found_from_the_mark_at_its_root(
    tmp_path: Path, mark: str, tool: str
) -> None:
    root = tmp_path / "Shared"
    root.mkdir()
    (root / mark.rstrip("/")).mkdir() if mark.endswith("/") else (root / mark).touch()
    found = sync_folder(root / "team" / "ai-config", mounts=tmp_path / "no-mounts")
    assert found is not None and (found.tool, found.root) == (tool, root)


def test_a_folder_on_a_network_file_system_is_a_network_share(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\nserver:/export {tmp_path}/nfs nfs4 rw 0 0\n"
        f"tmpfs {tmp_path}/nfs/tmp tmpfs rw 0 0\n"
    )
    found = sync_folder(tmp_path / "nfs" / "ai-config", mounts=mounts)
    assert found is not None and (found.tool, found.root) == ("network-share", tmp_path / "nfs")
    assert sync_folder(tmp_path / "nfs" / "tmp" / "x", mounts=mounts) is None


def _lock(path: Path, host: str, pid: int, at: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "host": host,
                "pid": pid,
                "action": "library update",
                "at": at.isoformat(),
                "token": "t",
            }
        )
    )


def test_another_host_s_lock_holds_until_it_is_stale(tmp_path: Path) -> None:
    lock = tmp_path / ".ai-config" / "update.lock"
    taken = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    _lock(lock, "desktop", 4242, taken)
    soon = taken + timedelta(minutes=5)
    with pytest.raises(ToolError) as refused, update_lock(lock, "sync merge", now=lambda: soon):
        pass
    assert refused.value.code == "AI_CONFIG_LIBRARY_LOCKED"
    assert "desktop (process 4242)" in refused.value.message
    assert lock_info(lock, now=lambda: soon).stale is False  # type: ignore[union-attr]

    later = taken + STALE_AFTER + timedelta(minutes=1)
    info = lock_info(lock, now=lambda: later)
    assert info is not None and info.stale and "31 minutes ago on desktop" in (info.reason or "")
    with update_lock(lock, "sync merge", now=lambda: later):
        mine = json.loads(lock.read_text())
        assert (mine["host"], mine["action"]) == (socket.gethostname(), "sync merge")
    assert not lock.exists()


def test_a_lock_of_this_host_is_stale_once_its_process_is_gone(tmp_path: Path) -> None:
    lock = tmp_path / "update.lock"
    now = datetime.now(UTC)
    _lock(lock, socket.gethostname(), 2**22 + 12345, now)  # above pid_max: no such process
    assert lock_info(lock).stale  # type: ignore[union-attr]
    import os

    _lock(lock, socket.gethostname(), os.getpid(), now)
    assert not lock_info(lock).stale  # type: ignore[union-attr]


def test_library_update_waits_for_another_machine_s_update(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    upstream.push({"roles/reviewer.md": "# Reviewer\n\none (team)\ntwo\nthree\nfour\nfive\n"})
    lock = tmp_path / "aic" / "library" / "personal" / ".ai-config" / "update.lock"
    _lock(lock, "desktop", 4242, datetime.now(UTC))
    refused = cli("library", "update", "-o", "json")
    assert (refused.code, doc(refused)["code"]) == (4, "AI_CONFIG_LIBRARY_LOCKED")
    assert "one (team)" not in (lock.parent.parent / "roles" / "reviewer.md").read_text()
    status = doc(cli("sync", "status", "-o", "json"))["sync"]
    assert (status["lock"]["host"], status["lock"]["stale"]) == ("desktop", False)
    assert cli("library", "update", "--dry-run").code == 0  # a dry run needs no lock


def test_sync_use_moves_the_personal_library_and_keeps_its_history_here(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    outside = doc(cli("sync", "status", "-o", "json"))["sync"]
    assert outside["folder"] is None
    shared = tmp_path / "Dropbox"
    shared.mkdir()
    (shared / ".dropbox").touch()
    moved = doc(cli("sync", "use", str(shared / "ai-config"), "-o", "json"))["personal"]
    assert (moved["how"], moved["folder"]["tool"]) == ("moved", "dropbox")
    assert moved["git_dir"] == str(tmp_path / "aic" / "state" / "personal.git")
    assert not (shared / "ai-config" / ".git").exists()
    assert not (tmp_path / "aic" / "library" / "personal").exists()
    [override] = doc(cli("library", "status", "-o", "json"))["library"]["overrides"]
    assert (override["path"], override["state"]) == ("roles/reviewer.md", "clean")
    assert cli("library", "forget", "roles/reviewer.md").code == 0
    assert not (shared / "ai-config" / "roles" / "reviewer.md").exists()

    other = tmp_path / "elsewhere"
    (other / "roles").mkdir(parents=True)
    (other / "roles" / "theirs.md").write_text("# Theirs\n")
    assert cli("library", "new", "notes/mine.md").code == 0
    refused = cli("sync", "use", str(other), "-o", "json")
    assert (refused.code, doc(refused)["code"]) == (4, "AI_CONFIG_SYNC_FOLDER_NOT_EMPTY")
    planned = doc(cli("uninstall", "--dry-run", "-o", "json"))["uninstall"]
    assert f"personal library in {shared / 'ai-config'}" in planned["notice"]
    assert str(shared / "ai-config") not in planned["removed"]


def test_a_nextcloud_copy_that_overlaps_is_left_as_a_conflict_to_resolve(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    mine = tmp_path / "aic" / "library" / "personal" / "roles" / "reviewer.md"
    text = mine.read_text()
    mine.write_text(text.replace("three", "three (laptop)"))
    copy = mine.with_name("reviewer (conflicted copy 2026-11-29 101500).md")
    copy.write_text(text.replace("three", "three (desktop)"))
    overview = doc(cli("status", "-o", "json"))
    assert overview["conflict_copies"] == [f"roles/{copy.name}"]
    assert [o["path"] for o in overview["library"]["overrides"]] == ["roles/reviewer.md"]
    [merge] = doc(cli("sync", "merge", "-o", "json"))["merges"]
    assert (merge["outcome"], merge["tool"]) == ("conflict", "nextcloud")
    assert ">>>>>>> nextcloud conflict copy\n" in mine.read_text() and not copy.exists()
    assert doc(cli("sync", "status", "-o", "json"))["sync"]["conflicts"] == ["roles/reviewer.md"]
    settled = cli("library", "resolve", "roles/reviewer.md", "--theirs", "-o", "json")
    assert settled.code == 0
    assert "three (desktop)" in mine.read_text() and "<<<<<<<" not in mine.read_text()


def test_a_profile_chooses_the_sources_that_layer_and_where_exports_go(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    teams = []
    for name in ("team", "client"):
        (tmp_path / name).mkdir()
        other = type(upstream)(tmp_path / name)
        other.push({f"{name}/rules.md": f"# {name}\n"})
        teams.append(other)
    assert cli("init", "--library", str(upstream.bare)).code == 0
    for name, other in zip(("team", "client"), teams, strict=True):
        assert cli("library", "source", "add", name, str(other.bare)).code == 0
    project = tmp_path / "project"
    added = cli("profile", "add", "work", "-s", "team", "-t", "claude-code", "--dest", str(project))
    assert added.code == 0
    unknown = cli("profile", "add", "x", "-s", "nope", "-o", "json")
    assert (unknown.code, doc(unknown)["code"]) == (3, "AI_CONFIG_SOURCE_NOT_FOUND")

    def paths() -> set[str]:
        return {f["path"] for f in doc(cli("library", "files", "-o", "json"))["files"]}

    assert {"team/rules.md", "client/rules.md"} <= paths()
    assert doc(cli("profile", "use", "work", "-o", "json"))["profile"]["active"] is True
    assert "team/rules.md" in paths() and "client/rules.md" not in paths()
    assert cli("agent", "create", "helper", "-r", "team/*").code == 0
    [exported] = doc(cli("agent", "export", "helper", "-o", "json"))["exports"]
    assert (exported["target"], exported["path"]) == (
        "claude-code",
        str(project / ".claude" / "agents" / "helper.md"),
    )
    listed = doc(cli("profile", "list", "-o", "json"))["profiles"]
    assert [(p["name"], p["active"]) for p in listed] == [("work", True)]
    assert doc(cli("profile", "use", "--none", "-o", "json")) == {"profile": None}
    assert "client/rules.md" in paths()
    both = cli("profile", "use", "work", "--none", "-o", "json")
    assert (both.code, doc(both)["code"]) == (2, "AI_CONFIG_PROFILE_REQUIRED")


def test_the_tui_without_a_terminal_or_without_textual_says_what_to_do(
    tmp_path: Path, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").code == 0
    ran = cli("tui", "-o", "json")
    assert (ran.code, doc(ran)["code"]) == (2, "AI_CONFIG_TUI_NEEDS_TERMINAL")
    for name in [
        m for m in sys.modules if m == "textual" or m.startswith(("textual.", "ai_config.tui."))
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "textual", None)  # as when the extra is not installed
    ran = cli("tui", "-o", "json")
    problem = doc(ran)
    assert (ran.code, problem["code"]) == (6, "AI_CONFIG_TUI_NOT_INSTALLED")
    assert "ai-config[tui]" in problem["suggestions"][0]


def test_sync_use_refuses_a_file_or_a_folder_it_cannot_make_and_changes_nothing(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    personal = tmp_path / "aic" / "library" / "personal"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n")

    as_file = cli("sync", "use", str(a_file), "-o", "json")
    assert (as_file.code, doc(as_file)["code"]) == (2, "AI_CONFIG_SYNC_FOLDER_IS_A_FILE")
    under_file = cli("sync", "use", str(a_file / "ai-config"), "-o", "json")
    assert (under_file.code, doc(under_file)["code"]) == (1, "AI_CONFIG_WRITE_FAILED")
    assert "Not a directory" in doc(under_file)["detail"]
    assert a_file.read_text() == "mine\n"
    assert (personal / "roles" / "reviewer.md").is_file()
    assert doc(cli("sync", "status", "-o", "json"))["sync"]["personal_dir"] == str(personal)
    changes = doc(cli("logs", "--action", "sync use", "-o", "json"))["changes"]
    assert [c["outcome"] for c in changes] == ["rolled back"]


def test_a_file_named_as_the_project_folder_is_refused_by_profile_and_export(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("agent", "create", "helper", "-r", "roles/*").code == 0
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n")
    for args in (
        ("profile", "add", "work", "-t", "claude-code", "--dest", str(a_file)),
        ("agent", "export", "helper", "-t", "claude-code", "--dest", str(a_file)),
    ):
        ran = cli(*args, "-o", "json")
        assert (ran.code, doc(ran)["code"]) == (2, "AI_CONFIG_DEST_NOT_A_FOLDER"), args
        assert str(a_file) in doc(ran)["detail"]
    assert a_file.read_text() == "mine\n"
    assert doc(cli("profile", "list", "-o", "json"))["profiles"] == []
