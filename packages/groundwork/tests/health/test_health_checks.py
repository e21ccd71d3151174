import io
import json
import time
from pathlib import Path

from rich.console import Console

from groundwork.errors import ExitCode
from groundwork.health import (
    CheckResult,
    HealthRegistry,
    Status,
    command_check,
    folder_check,
    render_doctor,
)


def _doctor(registry: HealthRegistry, output: str) -> tuple[ExitCode, str]:
    out = io.StringIO()
    code = render_doctor(registry.run(), output=output, console=Console(file=out, width=200))
    return code, out.getvalue()


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


def test_doctor_exits_1_on_any_error_and_0_on_warnings() -> None:
    registry = HealthRegistry()
    registry.register("w", lambda: (Status.WARNING, "meh", "do this"))
    code, table = _doctor(registry, "table")
    assert code is ExitCode.OK
    assert "do this" in table
    registry.register("e", lambda: (Status.ERROR, "bad", "fix that"))
    code, _ = _doctor(registry, "table")
    assert code is ExitCode.FAILURE


def test_doctor_json_lists_every_check_with_status_and_fix() -> None:
    registry = HealthRegistry()
    registry.register("a", lambda: (Status.OK, "fine"))
    registry.register("b", lambda: (Status.ERROR, "broken", "run x"))
    _, text = _doctor(registry, "json")
    payload = json.loads(text)
    assert payload["status"] == "error"
    assert [(c["name"], c["status"], c["fix"]) for c in payload["checks"]] == [
        ("a", "ok", None),
        ("b", "error", "run x"),
    ]


def test_checks_run_concurrently() -> None:
    registry = HealthRegistry()
    for i in range(4):
        registry.register(f"slow{i}", lambda: (time.sleep(0.3), (Status.OK, "done"))[1])
    started = time.perf_counter()
    registry.run()
    assert time.perf_counter() - started < 1.0


def test_a_hung_check_becomes_an_error_after_the_timeout() -> None:
    registry = HealthRegistry(timeout_seconds=0.2)
    registry.register("hung", lambda: (time.sleep(1), (Status.OK, "late"))[1])
    [result] = registry.run()
    assert result.status is Status.ERROR
    assert "did not finish" in result.message


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
