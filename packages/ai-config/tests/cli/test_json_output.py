"""One output contract: with ``--output json`` every command prints exactly one JSON document,
its result under the documented key; every failure prints one problem+json document instead,
with the exit code it has without JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

InProcess = Callable[..., Any]  # the `cli` fixture: returns a Ran (code, stdout, stderr)


def one_document(ran: Any) -> dict[str, Any]:
    """The whole of stdout parses as one JSON object (no second document, no stray text)."""
    document = json.loads(ran.stdout)
    assert isinstance(document, dict), ran.stdout
    assert ran.stdout.endswith("}\n"), ran.stdout
    return document


def leaf_commands() -> set[tuple[str, ...]]:
    """Every command ai-config has, by its path (``("library", "source", "add")``)."""
    from ai_config.cli import app

    def walk(command: Any, path: tuple[str, ...]) -> set[tuple[str, ...]]:
        commands = getattr(command, "commands", None)
        if commands is None:
            return {path}
        return set().union(*(walk(commands[name], (*path, name)) for name in commands))

    return walk(typer.main.get_command(app), ())


def quit_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ai-config tui` with no terminal here: the real app, headless, and a user pressing q."""
    from ai_config.tui import app as tui

    def headless(home: Path, first: Any) -> Any:
        async def press_q(pilot: Any) -> None:
            await pilot.press("q")

        return tui.AiConfigApp(home, first).run(headless=True, auto_pilot=press_q)

    monkeypatch.setattr(tui, "run_tui", headless)


def test_every_command_prints_one_json_document_under_its_key(
    tmp_path: Path, upstream: Any, cli: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    quit_at_once(monkeypatch)
    (tmp_path / "second").mkdir()
    other = type(upstream)(tmp_path / "second")
    other.push({"roles/ops.md": "# Ops\n"})
    pasted = '{"mcpServers": {"tickets": {"command": "tickets-mcp", "env": {"API_KEY": "k-1"}}}}'
    q_agent = tmp_path / "dev.json"
    q_agent.write_text(json.dumps({"name": "dev", "description": "from Q"}))

    def upstream_moves() -> None:
        upstream.push({"roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree\nfour\nfive (team)\n"})

    def a_conflict() -> None:
        mine = tmp_path / "aic" / "library" / "personal" / "roles" / "reviewer.md"
        mine.write_text(mine.read_text().replace("two", "two (mine)"))
        upstream.push({"roles/reviewer.md": mine.read_text().replace("two (mine)", "two (team)")})
        assert cli("library", "update").code == 1

    before = {("library", "resolve", "roles/reviewer.md", "--theirs"): a_conflict}

    steps: list[tuple[tuple[str, ...], str]] = [
        (("init", "--library", str(upstream.bare), "--branch", "main"), "library"),
        (("library", "status"), "library"),
        (("library", "files", "roles/*"), "files"),
        (("library", "edit", "roles/reviewer.md"), "file"),
        (("library", "new", "notes/mine.md"), "file"),
        (("library", "diff"), "diff"),
        (("library", "log", "-n", "3"), "revisions"),
        (("library", "update", "--dry-run"), "updates"),
        (("library", "update"), "updates"),
        (("library", "diff", "--upstream"), "diff"),
        (("library", "rollback"), "update"),
        (("library", "resolve", "roles/reviewer.md", "--theirs"), "override"),
        (("library", "forget", "notes/mine.md"), "override"),
        (("library", "source", "add", "team", str(other.bare)), "source"),
        (("library", "source", "list"), "sources"),
        (("library", "source", "set-url", "team", str(other.bare)), "source"),
        (("library", "source", "remove", "team"), "source"),
        (("agent", "create", "helper", "-r", "roles/*.md", "--mcp", "git"), "agent"),
        (("agent", "list"), "agents"),
        (("agent", "show", "helper"), "agent"),
        (("agent", "edit", "helper"), "agent"),
        (("agent", "export", "helper", "-t", "q-cli", "--dry-run"), "exports"),
        (("agent", "export", "helper", "-t", "q-cli"), "exports"),
        (("agent", "export", "--check"), "exports"),
        (("agent", "export", "--revert"), "exports"),
        (("agent", "import", str(q_agent)), "agent"),
        (("agent", "delete", "dev", "--yes"), "agent"),
        (("mcp", "list"), "mcp_servers"),
        (("mcp", "add", "--json", pasted), "mcp_servers"),
        (("mcp", "show", "tickets"), "mcp_server"),
        (("mcp", "secret", "tickets.API_KEY", "--value", "k-2"), "secret"),
        (("mcp", "remove", "tickets"), "mcp_server"),
        (("mcp", "search", "git"), "mcp_servers"),
        (("mcp", "browse"), "mcp_servers"),
        (("mcp", "install", "fetch"), "mcp_server"),
        (("backup", "list"), "backups"),
        (("backup", "restore", "LATEST"), "backup"),
        (("backup", "prune", "--keep", "50"), "backups"),
        (("audit", "-n", "5"), "changes"),
        (("logs", "--action", "mcp", "-n", "5"), "changes"),
        (("status",), "library"),
        (("stats",), "stats"),
        (("doctor",), "checks"),
        (("doctor", "--bundle", str(tmp_path / "diagnostics.tar.gz")), "bundle"),
        (("repair", "--dry-run"), "repairs"),
        (("repair",), "repairs"),
        (("gc", "--dry-run"), "gc"),
        (("gc", "--keep", "5"), "gc"),
        (("profile", "add", "work", "-t", "q-cli"), "profile"),
        (("profile", "list"), "profiles"),
        (("profile", "use", "work"), "profile"),
        (("profile", "remove", "work"), "profile"),
        (("sync", "use", str(tmp_path / "Sync" / "ai-config")), "personal"),
        (("sync", "status"), "sync"),
        (("sync", "merge"), "merges"),
        (("tui",), "session"),
        (("uninstall", "--dry-run"), "uninstall"),
        (("uninstall", "--yes", "--backup-to", str(tmp_path / "before.tar.gz")), "uninstall"),
    ]
    commands = leaf_commands()
    covered = set()
    latest_backup = ""
    for args, key in steps:
        if args == ("library", "update", "--dry-run"):
            upstream_moves()
        if args in before:
            before[args]()
        args = tuple(latest_backup if arg == "LATEST" else arg for arg in args)
        ran = cli(*args, "--output", "json")
        assert ran.code == 0, (args, ran.stdout, ran.stderr)
        document = one_document(ran)
        assert key in document, (args, document)
        covered |= {path for path in commands if args[: len(path)] == path}
        if args == ("backup", "list"):
            latest_backup = document["backups"][0]["id"]
    assert covered == commands, f"commands without a JSON check: {sorted(commands - covered)}"
    assert not (tmp_path / "aic").exists()
    assert (tmp_path / "before.tar.gz").stat().st_mode & 0o777 == 0o600


def test_results_of_the_same_kind_have_the_same_shape(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare), "-o", "json").code == 0
    listed = one_document(cli("library", "files", "-o", "json"))["files"]
    edited = one_document(cli("library", "edit", "roles/reviewer.md", "-o", "json"))["file"]
    assert set(edited) == set(listed[0]) == {"path", "origin", "location"}
    assert edited["origin"] == "override"
    created = one_document(cli("agent", "create", "helper", "-r", "roles/*.md", "-o", "json"))
    shown = one_document(cli("agent", "show", "helper", "-o", "json"))
    agents = one_document(cli("agent", "list", "-o", "json"))["agents"]
    assert created["agent"] == shown["agent"] == next(a for a in agents if a["name"] == "helper")
    assert created["file"]["path"] == "agents/helper.yaml"
    assert [f["path"] for f in shown["resources"]] == ["roles/reviewer.md"]
    upstream.push({"tools/git.md": "# Git\n\nv2\n"})
    [update] = one_document(cli("library", "update", "-o", "json"))["updates"]
    rollback = one_document(cli("library", "rollback", "-o", "json"))["update"]
    assert set(update) == set(rollback)
    assert (rollback["old"], rollback["new"]) == (update["new"], update["old"])


def test_conflicts_are_a_finding_that_exits_1_with_one_document(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare), "-o", "json").code == 0
    assert cli("library", "edit", "roles/reviewer.md").code == 0
    mine = tmp_path / "aic" / "library" / "personal" / "roles" / "reviewer.md"
    mine.write_text(mine.read_text().replace("three", "three (mine)"))
    upstream.push({"roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree (team)\nfour\nfive\n"})
    ran = cli("library", "update", "-o", "json")
    assert ran.code == 1
    [update] = one_document(ran)["updates"]
    assert update["conflicts"] == ["roles/reviewer.md"]


def test_a_stale_export_is_a_finding_that_exits_1(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("agent", "create", "helper", "-r", "tools/git.md").code == 0
    assert cli("agent", "export", "helper", "-t", "claude-code").code == 0
    assert one_document(cli("agent", "export", "--check", "-o", "json")) == {"exports": []}
    upstream.push({"tools/git.md": "# Git\n\nrebase first\n"})
    assert cli("library", "update").code == 0
    ran = cli("agent", "export", "--check", "-o", "json")
    assert ran.code == 1
    [stale] = one_document(ran)["exports"]
    exported = tmp_path / "user" / ".claude" / "agents" / "helper.md"
    assert stale == {
        "agent": "helper",
        "target": "claude-code",
        "path": str(exported),
        "state": "stale",
        "diff": None,
        "warnings": [],
    }
    status = one_document(cli("library", "status", "-o", "json"))
    assert status["stale_exports"] == [stale]


def broken_agent(tmp_path: Path) -> None:
    agents = tmp_path / "aic" / "library" / "personal" / "agents"
    agents.mkdir(parents=True)
    (agents / "broken.yaml").write_text("name: broken\nresources: [roles/a.md\ndescription: x\n")


@pytest.mark.parametrize(
    ("args", "stdin", "exit_code", "code"),
    [
        (("agent", "show", "nobody"), "", 3, "AI_CONFIG_AGENT_NOT_FOUND"),
        (("agent", "show", "broken"), "", 2, "AI_CONFIG_AGENT_INVALID"),
        (("agent", "export", "reviewer", "--target", "vim"), "", 2, "AI_CONFIG_USAGE"),
        (("agent", "delete", "broken"), "n\n", 1, "AI_CONFIG_NOT_CONFIRMED"),
        (("library", "edit", "../etc/passwd"), "", 2, "AI_CONFIG_PATH_OUTSIDE_LIBRARY"),
        (("library", "rollback", "no-such-revision"), "", 3, "AI_CONFIG_REVISION_UNKNOWN"),
        (("mcp", "show", "nothing"), "", 3, "AI_CONFIG_MCP_NOT_FOUND"),
        (("mcp", "add", "--json", "{not json"), "", 2, "AI_CONFIG_MCP_INVALID"),
        (("backup", "restore", "nothing"), "", 3, "GROUNDWORK_BACKUP_NOT_FOUND"),
        (("library", "nonsense"), "", 2, "AI_CONFIG_USAGE"),
        (("init",), "", 4, "AI_CONFIG_ALREADY_INITIALISED"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, tuple) else None,
)
def test_failures_are_one_problem_document_with_the_exit_code_unchanged(
    tmp_path: Path,
    cli: InProcess,
    args: tuple[str, ...],
    stdin: str,
    exit_code: int,
    code: str,
) -> None:
    assert cli("init").code == 0
    broken_agent(tmp_path)
    as_table = cli(*args, stdin=stdin)
    as_json = cli(*args, "--output", "json", stdin=stdin)
    assert as_table.code == as_json.code == exit_code
    assert as_table.stdout == ""
    problem = one_document(as_json)
    assert (problem["code"], problem["exit_code"]) == (code, exit_code)
    assert problem["detail"] and problem["suggestions"]


def test_a_missing_library_is_a_problem_document(cli: InProcess) -> None:
    for args in (("library", "status"), ("agent", "list"), ("library", "update")):
        ran = cli(*args, "-o", "json")
        assert ran.code == 3
        assert one_document(ran)["code"] == "AI_CONFIG_NOT_INITIALISED"


def test_the_delete_prompt_goes_to_stderr(tmp_path: Path, cli: InProcess) -> None:
    assert cli("init").code == 0
    assert cli("agent", "create", "helper").code == 0
    ran = cli("agent", "delete", "helper", "-o", "json", stdin="y\n")
    assert ran.code == 0
    assert "Delete agent helper? [y/N]" in ran.stderr
    assert one_document(ran)["agent"]["name"] == "helper"
    assert cli("agent", "show", "helper").code == 3
