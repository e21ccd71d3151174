import io
import threading
from pathlib import Path

from rich.console import Console

from groundwork.health import (
    CheckResult,
    HealthRegistry,
    Status,
    command_check,
    doctor_table,
    folder_check,
)


def test_a_check_that_raises_is_reported_as_an_error_and_others_still_run() -> None:
    registry = HealthRegistry()
    registry.register("fine", lambda: (Status.OK, "all good"))

    def broken() -> CheckResult:
        raise RuntimeError("boom")

    registry.register("broken", broken)
    results = registry.run()
    assert [r.name for r in results] == ["fine", "broken"]
    assert results[0].status is Status.OK
    assert results[1].status is Status.ERROR
    assert "boom" in results[1].message


def test_the_doctor_table_shows_each_fix_and_counts_by_status() -> None:
    registry = HealthRegistry()
    registry.register("w", lambda: (Status.WARNING, "meh", "do this"))
    registry.register("e", lambda: (Status.ERROR, "bad", "fix that"))
    out = io.StringIO()
    Console(file=out, width=200).print(doctor_table(registry.run(), title="demo doctor"))
    text = out.getvalue()
    assert "demo doctor" in text
    assert "do this" in text
    assert "fix that" in text
    assert "1 warning, 1 error" in text


def test_checks_run_concurrently() -> None:
    """Four checks that each wait for all four to be running can only pass together."""
    everyone_running = threading.Barrier(4, timeout=5)
    registry = HealthRegistry()
    for i in range(4):
        registry.register(f"c{i}", lambda: (everyone_running.wait(), (Status.OK, "met"))[1])
    assert [r.status for r in registry.run()] == [Status.OK] * 4


def test_a_hung_check_becomes_an_error_and_does_not_hold_up_the_others() -> None:
    release = threading.Event()
    registry = HealthRegistry(timeout_seconds=0.2)
    registry.register("hung", lambda: (release.wait(30), (Status.OK, "late"))[1])
    registry.register("quick", lambda: (Status.OK, "fine"))
    try:
        hung, quick = registry.run()
        # run() answered while the hung check is still blocked in its thread.
        assert any(t.name == "health check hung" for t in threading.enumerate())
    finally:
        release.set()
    assert hung.status is Status.ERROR
    assert "did not finish within 0.2 s" in hung.message
    assert quick.status is Status.OK


def test_readiness_only_skips_checks_marked_not_for_readiness() -> None:
    registry = HealthRegistry()
    registry.register("ready", lambda: (Status.OK, "x"))
    registry.register("cli-only", lambda: (Status.OK, "y"), readiness=False)
    assert [r.name for r in registry.run(readiness_only=True)] == ["ready"]


def test_folder_check_flags_loose_permissions_and_non_folders(tmp_path: Path) -> None:
    private = tmp_path / "state"
    private.mkdir(mode=0o700)
    assert folder_check("state", private)().status is Status.OK
    private.chmod(0o755)
    loose = folder_check("state", private)()
    assert loose.status is Status.WARNING
    assert loose.fix == f"chmod 700 {private}"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert folder_check("state", a_file)().status is Status.ERROR
    assert folder_check("state", tmp_path / "missing")().status is Status.INFO


def test_command_check_reports_version_or_missing() -> None:
    found = command_check("git", why="needed")()
    assert found.status is Status.OK
    assert "git version" in found.message
    missing = command_check("no-such-binary-xyz", why="cells run in it")()
    assert missing.status is Status.ERROR
    assert "cells run in it" in missing.message
    optional = command_check("no-such-binary-xyz", why="nice", required=False)()
    assert optional.status is Status.WARNING
