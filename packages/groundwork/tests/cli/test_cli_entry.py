"""The entry point's catch-all, exercised through a real subprocess as a user runs a CLI."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

APP = textwrap.dedent(
    """
    import sys
    import typer
    from groundwork.cli import make_app, run
    from groundwork.errors import ExitCode, ToolError

    app = make_app("demo-tool", "1.2.3", "A demo.")

    @app.command()
    def fail() -> None:
        raise ToolError("DEMO_TOOL_NOT_FOUND", "no such thing", suggestions=["list them"],
                        exit_code=ExitCode.NOT_FOUND)

    @app.command()
    def crash(secret: str = "") -> None:
        from groundwork.logs import redactor
        if secret:
            redactor.add(secret)
        raise ZeroDivisionError(f"divided by zero near {secret}")

    @app.command()
    def interrupt() -> None:
        raise KeyboardInterrupt

    @app.command()
    def ok(count: int) -> None:
        print(count)

    run(app, tool="demo-tool", home_env="DEMO_TOOL_HOME")
    """
)


@pytest.fixture
def cli(tmp_path: Path):
    script = tmp_path / "app.py"
    script.write_text(APP)
    home = tmp_path / "home"
    log = home / "log" / "demo-tool.log"  # the log moves with the tool's folder

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "DEMO_TOOL_HOME": str(home)},
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
