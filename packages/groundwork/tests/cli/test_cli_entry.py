"""The entry point's catch-all, exercised through a real subprocess as a user runs a CLI."""

import json
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

APP = textwrap.dedent(
    """
    import os
    import sys
    from dataclasses import dataclass
    import typer
    from groundwork.cli import add_doctor_command, make_app, run
    from groundwork.errors import ExitCode, ToolError
    from groundwork.health import HealthRegistry, Status
    from groundwork.output import OutputFormat, OutputOption, renders

    app = make_app("demo-tool", "1.2.3", "A demo.", lazy_commands={"later": "later_commands"})

    def checks() -> HealthRegistry:
        registry = HealthRegistry()
        registry.register("git", lambda: (Status.OK, "found"))
        registry.register("disk", lambda: (Status(os.environ["DISK"]), "disk says so", "free some"))
        return registry

    add_doctor_command(app, "demo-tool", checks)

    @dataclass
    class Thing:
        name: str
        size: int

    @app.command()
    @renders(lambda thing: f"{thing.name} is {thing.size} big")
    def show(name: str, output: OutputOption = OutputFormat.TABLE) -> Thing:
        return Thing(name, len(name))

    @app.command()
    def fail(output: OutputOption = OutputFormat.TABLE) -> None:
        raise ToolError("DEMO_TOOL_NOT_FOUND", "no such thing", suggestions=["list them"],
                        context={"name": "x"}, exit_code=ExitCode.NOT_FOUND)

    @app.command()
    def crash(secret: str = "", output: OutputOption = OutputFormat.TABLE) -> None:
        from groundwork.logs import redactor
        if secret:
            redactor.add(secret)
        raise ZeroDivisionError(f"divided by zero near {secret}")

    @app.command()
    def interrupt(output: OutputOption = OutputFormat.TABLE) -> None:
        raise KeyboardInterrupt

    @app.command()
    def ok(count: int) -> None:
        print(count)

    run(app, tool="demo-tool", home_env="DEMO_TOOL_HOME")
    """
)


LATER = textwrap.dedent(
    """
    import os
    import typer
    from pathlib import Path

    Path(os.environ["DEMO_TOOL_HOME"]).mkdir(parents=True, exist_ok=True)
    (Path(os.environ["DEMO_TOOL_HOME"]) / "later-imported").touch()
    app = typer.Typer(help="Commands loaded on first use.")

    @app.command()
    def now() -> None:
        print("later, now")

    @app.command()
    def never() -> None:
        print("never")
    """
)


@pytest.fixture
def cli(tmp_path: Path):
    script = tmp_path / "app.py"
    script.write_text(APP)
    (tmp_path / "later_commands.py").write_text(LATER)
    home = tmp_path / "home"
    log = home / "logs" / "demo-tool.log"  # the log moves with the tool's folder

    def invoke(*args: str, disk: str = "ok") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                "PATH": "/usr/bin:/bin",
                "COLUMNS": "120",
                "DEMO_TOOL_HOME": str(home),
                "DISK": disk,
            },
        )

    invoke.log = log  # type: ignore[attr-defined]
    return invoke


def test_version_and_success(cli) -> None:
    assert cli("--version").stdout.strip() == "demo-tool 1.2.3"
    done = cli("ok", "3")
    assert (done.returncode, done.stdout.strip()) == (0, "3")


def test_tool_error_shows_suggestion_and_its_exit_code_without_traceback(cli) -> None:
    done = cli("fail")
    assert done.returncode == 3
    assert "DEMO_TOOL_NOT_FOUND" in done.stderr
    assert "list them" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_debug_shows_the_traceback(cli) -> None:
    done = cli("--debug", "fail")
    assert done.returncode == 3
    assert "Traceback" in done.stderr


def test_a_bug_says_internal_error_and_where_the_log_is(cli) -> None:
    done = cli("crash")
    assert done.returncode == 70
    assert "DEMO_TOOL_INTERNAL_ERROR" in done.stderr
    assert "ZeroDivisionError" in done.stderr
    assert "Traceback" not in done.stderr
    log_text = cli.log.read_text()
    assert "Traceback" in log_text
    assert "ZeroDivisionError" in json.loads(log_text.splitlines()[-1])["exception"]


def test_the_internal_error_log_redacts_secrets(cli) -> None:
    cli("crash", "--secret", "hunter2-very-secret")
    assert "hunter2-very-secret" not in cli.log.read_text()


def test_usage_mistakes_exit_2_with_click_message(cli) -> None:
    done = cli("nope")
    assert done.returncode == 2
    assert "No such command" in done.stderr
    bad = cli("ok", "three")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


def test_ctrl_c_exits_130(cli) -> None:
    done = cli("interrupt")
    assert done.returncode == 130
    assert "Interrupted" in done.stderr


def test_a_result_is_a_line_for_people_and_one_json_document_for_scripts(cli) -> None:
    assert cli("show", "abc").stdout.strip() == "abc is 3 big"
    for flags in (["-o", "json"], ["--output", "json"], ["--output=json"], ["-ojson"]):
        done = cli("show", "abc", *flags)
        assert (done.returncode, json.loads(done.stdout)) == (0, {"name": "abc", "size": 3})


def problem_of(done: subprocess.CompletedProcess[str]) -> dict:
    """The problem+json document a failed command printed, with nothing else on stdout."""
    problem = json.loads(done.stdout)
    assert problem["exit_code"] == done.returncode
    assert "Traceback" not in done.stdout + done.stderr
    return problem


def test_in_json_mode_an_error_is_problem_json_on_stdout_with_the_same_exit_code(cli) -> None:
    done = cli("fail", "--output", "json")
    assert done.returncode == 3
    assert problem_of(done) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no such thing",
        "code": "DEMO_TOOL_NOT_FOUND",
        "suggestions": ["list them"],
        "context": {"name": "x"},
        "exit_code": 3,
    }
    assert "Error" not in done.stderr  # no panel beside the document


def test_in_json_mode_usage_mistakes_bugs_and_ctrl_c_are_problem_json(cli) -> None:
    usage = problem_of(cli("show", "abc", "--size", "3", "-o", "json"))
    assert (usage["code"], usage["exit_code"]) == ("DEMO_TOOL_USAGE", 2)
    assert "--size" in usage["detail"]
    assert usage["suggestions"] == ["See what it accepts: demo-tool show --help"]
    unknown = problem_of(cli("nope", "-o", "json"))
    assert unknown["code"] == "DEMO_TOOL_USAGE"
    assert "No such command" in unknown["detail"]
    bug = problem_of(cli("crash", "-o", "json"))
    assert (bug["code"], bug["exit_code"]) == ("DEMO_TOOL_INTERNAL_ERROR", 70)
    interrupted = problem_of(cli("interrupt", "-o", "json"))
    assert (interrupted["code"], interrupted["exit_code"]) == ("DEMO_TOOL_INTERRUPTED", 130)


def test_doctor_exits_1_on_an_error_and_0_on_a_warning_in_both_formats(cli) -> None:
    warned = cli("doctor", disk="warning")
    assert warned.returncode == 0
    assert "free some" in warned.stdout
    assert "1 ok, 1 warning" in warned.stdout
    failed = cli("doctor", "-o", "json", disk="error")
    assert failed.returncode == 1
    report = json.loads(failed.stdout)
    assert (report["tool"], report["status"]) == ("demo-tool", "error")
    assert [(c["name"], c["status"], c["fix"]) for c in report["checks"]] == [
        ("git", "ok", None),
        ("disk", "error", "free some"),
    ]


def test_the_log_is_private_in_a_private_folder(cli) -> None:
    cli("crash")
    assert stat.S_IMODE(cli.log.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.log.parent.stat().st_mode) == 0o700
    # The tool's folder, made on the way to its log, is private too.
    assert stat.S_IMODE(cli.log.parent.parent.stat().st_mode) == 0o700


def test_a_lazy_command_group_is_imported_only_when_its_command_runs(cli, tmp_path: Path) -> None:
    marker = tmp_path / "home" / "later-imported"
    assert cli("--version").returncode == 0
    assert cli("show", "abc").returncode == 0
    assert not marker.exists()
    assert "later" in cli("--help").stdout
    done = cli("later", "now")
    assert (done.returncode, done.stdout.strip()) == (0, "later, now")
    assert marker.exists()
