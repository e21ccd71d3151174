"""repair, gc, doctor --bundle and doctor's performance check, from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

InProcess = Callable[..., Any]
NOTES = {f"notes/n{i}.md": "a\nb\nc\nd\ne\nf\n" for i in range(3)}


def doc(ran: Any) -> Any:
    return json.loads(ran.stdout)


def kill_update_at(tmp_path: Path, point: str) -> None:
    """Run `library update` until it announces ``point``, then SIGKILL it there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_config", "library", "update"],
        env={
            **os.environ,
            "AI_CONFIG_HOME": str(tmp_path / "aic"),
            "HOME": str(tmp_path / "user"),
            "AI_CONFIG_HOLD_UPDATE": point,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    announced = process.stderr.readline()
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert announced.startswith(f"ai-config: update held at {point} "), announced


def test_repair_finishes_an_interrupted_update_and_breaks_its_lock(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    upstream.push(NOTES)
    assert cli("init", "--library", str(upstream.bare)).code == 0
    personal = tmp_path / "aic" / "library" / "personal"
    for rel in NOTES:
        assert cli("library", "edit", rel).code == 0
        (personal / rel).write_text(NOTES[rel].replace("a\n", "a (mine)\n"))
    old = doc(cli("library", "status", "-o", "json"))["library"]["base_revision"]
    new = upstream.push({rel: text.replace("e\n", "e (team)\n") for rel, text in NOTES.items()})
    kill_update_at(tmp_path, "merged-1")
    assert (personal / ".ai-config" / "update.lock").exists()

    planned = doc(cli("repair", "--dry-run", "-o", "json"))
    assert [(r["outcome"], r["problem"].split(" (")[0]) for r in planned["repairs"]] == [
        ("would-fix", "a stale update lock"),
        ("would-fix", "an update"),
    ]
    assert f"({old[:8]} -> {new[:8]}) was interrupted" in planned["repairs"][1]["problem"]
    assert (personal / ".ai-config" / "update.lock").exists()  # a dry run changes nothing

    upstream.push({"notes/later.md": "pushed after the crash\n"})  # repair must not fetch it
    ran = cli("repair", "-o", "json")
    assert ran.code == 0, ran.stdout
    lock, update = doc(ran)["repairs"]
    assert (lock["outcome"], len(lock["backups"])) == ("fixed", 1)
    assert "is gone" in lock["problem"]
    assert update["outcome"] == "fixed" and update["backups"]
    assert "3 merged, 0 with conflicts" in update["action"]
    for rel in NOTES:
        text = (personal / rel).read_text()
        assert "a (mine)" in text and "e (team)" in text
    assert not (personal / ".ai-config" / "update.lock").exists()
    assert not (tmp_path / "aic" / "state" / "update-in-progress.json").exists()
    status = doc(cli("library", "status", "-o", "json"))["library"]
    assert (status["base_revision"], status["pinned"]) == (new, new)
    checks = {c["name"]: c for c in doc(cli("doctor", "-o", "json"))["checks"]}
    assert checks["libraries"]["status"] == "ok" and checks["sync"]["status"] == "ok"
    assert doc(cli("repair", "-o", "json"))["repairs"] == []
    actions = [c["action"] for c in doc(cli("logs", "-o", "json"))["changes"]]
    assert actions[-2:] == ["repair", "library update"]


def test_repair_starts_a_missing_personal_history_again(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("sync", "use", str(tmp_path / "Sync" / "ai-config")).code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    git_dir = tmp_path / "aic" / "state" / "personal.git"
    subprocess.run(["rm", "-rf", str(git_dir)], check=True)

    refused = cli("agent", "list", "-o", "json")
    assert (refused.code, doc(refused)["code"]) == (3, "AI_CONFIG_PERSONAL_GIT_MISSING")
    assert "ai-config repair" in doc(refused)["suggestions"][0]
    libraries = next(
        c for c in doc(cli("doctor", "-o", "json"))["checks"] if c["name"] == "libraries"
    )
    assert (libraries["status"], libraries["fix"].split(" ")[1]) == ("error", "repair")

    [fixed] = doc(cli("repair", "-o", "json"))["repairs"]
    assert fixed["outcome"] == "fixed" and "history" in fixed["problem"]
    [override] = doc(cli("library", "status", "-o", "json"))["library"]["overrides"]
    assert (override["path"], override["state"]) == ("roles/reviewer.md", "clean")
    log = subprocess.run(
        ["git", f"--git-dir={git_dir}", "log", "--format=%s", "--", "roles/reviewer.md"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.strip() == "History started again by ai-config repair"


def test_repair_keeps_the_export_records_that_can_be_read(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("agent", "create", "helper", "-r", "roles/*.md").code == 0
    assert cli("agent", "export", "helper", "-t", "claude-code").code == 0
    records = tmp_path / "aic" / "state" / "exports.json"
    data = json.loads(records.read_text())
    data["exports"].append({"agent": "ghost", "half": "a record"})
    records.write_text(json.dumps(data))
    checks = {c["name"]: c for c in doc(cli("doctor", "-o", "json"))["checks"]}
    assert checks["export records"]["status"] == "error"
    assert "1 broken, 1 readable" in checks["export records"]["message"]

    [fixed] = doc(cli("repair", "-o", "json"))["repairs"]
    assert fixed["outcome"] == "fixed"
    assert [r["agent"] for r in json.loads(records.read_text())["exports"]] == ["helper"]
    kept = tmp_path / "aic" / "backups" / fixed["backups"][0] / "data"
    assert "ghost" in kept.read_text()
    assert cli("agent", "export", "--check").code == 0


def test_gc_prunes_backups_and_records_of_deleted_agents_and_says_what_it_freed(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    for n in range(4):
        assert cli("mcp", "add", f"s{n}", "--json", '{"command": "x"}').code == 0
    assert cli("agent", "create", "gone", "-r", "tools/*").code == 0
    assert cli("agent", "export", "gone", "-t", "claude-code").code == 0
    assert cli("agent", "delete", "gone", "--yes").code == 0

    planned = doc(cli("gc", "--keep", "1", "--dry-run", "-o", "json"))["gc"]
    kinds = [item["kind"] for item in planned["items"]]
    assert kinds.count("export-record") == 1 and kinds.count("backup") >= 2
    assert planned["freed_bytes"] == sum(item["bytes"] for item in planned["items"]) > 0
    listed = len(doc(cli("backup", "list", "-o", "json"))["backups"])

    done = doc(cli("gc", "--keep", "1", "-o", "json"))["gc"]
    assert (done["dry_run"], done["freed_bytes"]) == (False, planned["freed_bytes"])
    left = len(doc(cli("backup", "list", "-o", "json"))["backups"])
    assert left <= listed - kinds.count("backup") + 1  # the records file's own, taken by gc
    assert json.loads((tmp_path / "aic" / "state" / "exports.json").read_text())["exports"] == []
    again = doc(cli("gc", "--keep", "1", "--dry-run", "-o", "json"))["gc"]
    assert "export-record" not in [item["kind"] for item in again["items"]]
    [entry] = doc(cli("logs", "--action", "gc", "-n", "1", "-o", "json"))["changes"]
    assert entry["freed_bytes"] == done["freed_bytes"]


def test_the_diagnostics_bundle_holds_no_secret(
    tmp_path: Path, upstream: Any, cli: InProcess, monkeypatch: Any
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    pasted = '{"svc": {"command": "svc", "env": {"API_KEY": "sk-stored-1234", "LEVEL": "debug"}}}'
    assert cli("mcp", "add", "--json", pasted, "--public", "LEVEL").code == 0
    lock = tmp_path / "aic" / "library.lock"
    data = json.loads(lock.read_text())
    data["sources"]["base"]["url"] = "https://bob:tok-in-url-99@git.example.org/lib.git"
    lock.write_text(json.dumps(data))
    monkeypatch.setenv("AI_CONFIG_GIT_TOKEN", "tok-from-env-77")
    log = tmp_path / "aic" / "logs" / "ai-config.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("a line with sk-stored-1234 and tok-from-env-77 in it\n")

    bundle = tmp_path / "report" / "diag.tar.gz"
    ran = cli("doctor", "--bundle", str(bundle), "-o", "json")
    assert doc(ran)["bundle"] == str(bundle)
    assert bundle.stat().st_mode & 0o777 == 0o600
    with tarfile.open(bundle) as archive:
        texts = {
            m.name.removeprefix("ai-config-diagnostics/"): archive.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in archive.getmembers()
        }
    assert set(texts) >= {"versions.json", "doctor.json", "config/mcp.json", "logs/ai-config.log"}
    everything = "\n".join(texts.values())
    for secret in ("sk-stored-1234", "tok-in-url-99", "tok-from-env-77"):
        assert secret not in everything
    assert json.loads(texts["config/mcp.json"])["svc"]["env"]["LEVEL"] == "<removed>"
    assert "https://<removed>@git.example.org" in texts["config/library.lock"]
    assert json.loads(texts["versions.json"])["ai-config"]
    assert json.loads(texts["doctor.json"])["tool"] == "ai-config"


def test_doctor_holds_the_last_status_and_update_against_the_targets(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    figures = tmp_path / "aic" / "state" / "perf.json"
    figures.unlink()  # init measured its own status
    assert cli("library", "status").code == 0
    measured = json.loads(figures.read_text())  # this machine's figure, kept by the status
    assert measured["status"]["files"] == 2 and measured["status"]["ms"] > 0
    perf = next(c for c in doc(cli("doctor", "-o", "json"))["checks"] if c["name"] == "performance")
    assert perf["message"].startswith("2 library files, last status ")
    figures.write_text(
        json.dumps(
            {
                "status": {"ms": 120.0, "at": "2026-01-01T00:00:00+00:00", "files": 2},
                "update": {"ms": 2500.0, "at": "2026-01-01T00:00:00+00:00", "changed": 3},
            }
        )
    )
    perf = next(c for c in doc(cli("doctor", "-o", "json"))["checks"] if c["name"] == "performance")
    assert perf["status"] == "ok", perf
    figures.write_text(
        json.dumps(
            {
                "status": {"ms": 950.0, "at": "2026-01-01T00:00:00+00:00", "files": 12000},
                "update": {"ms": 45000.0, "at": "2026-01-01T00:00:00+00:00", "changed": 3},
            }
        )
    )
    checks = doc(cli("doctor", "-o", "json"))["checks"]
    perf = next(c for c in checks if c["name"] == "performance")
    assert perf["status"] == "warning"
    assert "last status 950 ms (target 300 ms)" in perf["message"]
    assert "last update 45.0 s (target 30 s)" in perf["message"]
    assert "over target: status, update, library size" in perf["message"]
    assert json.loads(figures.read_text())["status"]["ms"] == 950.0  # doctor's own status untimed


def test_a_bundle_that_cannot_be_written_is_an_error_that_says_where(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    folder = cli("doctor", "--bundle", str(tmp_path), "-o", "json")
    assert (folder.code, doc(folder)["code"]) == (2, "AI_CONFIG_BUNDLE_IS_A_FOLDER")
    assert doc(folder)["suggestions"] == [
        f"ai-config doctor --bundle {tmp_path / 'ai-config-diagnostics.tar.gz'}"
    ]
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n")
    under_file = cli("doctor", "--bundle", str(a_file / "diag.tar.gz"), "-o", "json")
    assert (under_file.code, doc(under_file)["code"]) == (1, "AI_CONFIG_WRITE_FAILED")
    assert str(a_file / "diag.tar.gz") in doc(under_file)["detail"]
    assert a_file.read_text() == "mine\n"


def test_gc_removes_caches_and_only_leftovers_nobody_is_writing(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    from datetime import UTC, datetime

    from ai_config.maintenance.gc import LEFTOVER_AGE, collect

    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    assert cli("library", "status").code == 0
    aic = tmp_path / "aic"
    index = aic / "state" / "index-personal.json"
    leftovers = [
        aic / ".library.lock.k2j3.tmp",
        aic / "state" / ".exports.json.a1b2.tmp",
        aic / "library" / "personal" / ".ai-config" / "update.lock.breaking-0f1e2d3c",
        aic
        / "library"
        / "personal"
        / ".ai-config"
        / "update.sync-conflict-20261129-101500-ABCDEF7.lock",
    ]
    for path in leftovers:
        path.write_text("left by a process that died\n")
    caches = {i.what for i in collect(aic, dry_run=True).items if i.kind == "cache"}
    assert caches == {str(index)}  # just written: maybe a write in progress, so kept
    waiting = doc(cli("sync", "status", "-o", "json"))["sync"]
    assert waiting["conflict_copies"] == []  # a lock's copy is nothing to merge
    assert doc(cli("sync", "merge", "-o", "json"))["merges"] == []

    later = datetime.now(UTC) + LEFTOVER_AGE * 2
    done = collect(aic, now=later)
    freed = {i.what: i.bytes for i in done.items if i.kind == "cache"}
    assert set(freed) == {str(index), *map(str, leftovers)}
    assert freed[str(leftovers[0])] == len("left by a process that died\n")
    assert not index.exists() and not any(p.exists() for p in leftovers)
    [override] = doc(cli("library", "status", "-o", "json"))["library"]["overrides"]
    assert override["path"] == "roles/reviewer.md" and index.exists()  # rebuilt by status
