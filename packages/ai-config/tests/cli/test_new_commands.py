"""The commands a user reaches for first (status, stats, logs, uninstall), names that are paths,
and every mutating command backing up and auditing."""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

InProcess = Callable[..., Any]


def doc(ran: Any) -> Any:
    return json.loads(ran.stdout)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("agent", "create", "../../x"), "AI_CONFIG_AGENT_NAME_INVALID"),
        (("agent", "create", "a/b"), "AI_CONFIG_AGENT_NAME_INVALID"),
        (("agent", "show", "../x"), "AI_CONFIG_AGENT_NAME_INVALID"),
        (("agent", "delete", "a/b", "--yes"), "AI_CONFIG_AGENT_NAME_INVALID"),
        (("agent", "export", "../../etc"), "AI_CONFIG_AGENT_NAME_INVALID"),
        (("agent", "edit", "x y"), "AI_CONFIG_AGENT_NAME_INVALID"),
        (("mcp", "secret", "../key", "--value", "v"), "AI_CONFIG_SECRET_NAME_INVALID"),
        (("mcp", "add", "a/b", "--json", '{"command": "x"}'), "AI_CONFIG_MCP_NAME_INVALID"),
        (("library", "forget", "../x"), "AI_CONFIG_PATH_OUTSIDE_LIBRARY"),
        (("library", "new", "/etc/x"), "AI_CONFIG_PATH_OUTSIDE_LIBRARY"),
        (("library", "resolve", "roles/x.md"), "AI_CONFIG_SIDE_REQUIRED"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, tuple) else value,
)
def test_names_and_paths_from_users_are_usage_errors(
    tmp_path: Path, cli: InProcess, args: tuple[str, ...], code: str
) -> None:
    assert cli("init").code == 0
    ran = cli(*args, "-o", "json")
    assert (ran.code, doc(ran)["code"]) == (2, code)
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "aic" / "x.yaml").exists()


def test_mcp_changes_are_backed_up_and_audited_without_secret_values(
    tmp_path: Path, cli: InProcess
) -> None:
    assert cli("init").code == 0
    pasted = '{"svc": {"command": "svc-mcp", "env": {"API_KEY": "sk-audit-secret"}}}'
    assert cli("mcp", "add", "--json", pasted).code == 0
    refused = cli("mcp", "add", "--json", pasted, "-o", "json")
    assert (refused.code, doc(refused)["code"]) == (4, "AI_CONFIG_MCP_EXISTS")
    assert cli("mcp", "add", "--json", pasted.replace("svc-mcp", "svc2"), "--force").code == 0
    assert cli("mcp", "secret", "svc.API_KEY", "--value", "sk-rotated-secret").code == 0
    assert cli("mcp", "remove", "svc").code == 0
    changes = doc(cli("logs", "--action", "mcp", "-o", "json"))["changes"]
    assert [(c["action"], c["outcome"]) for c in changes] == [
        ("mcp add", "done"),
        ("mcp add", "done"),
        ("mcp secret", "done"),
        ("mcp remove", "done"),
    ]
    assert all(c["backups"] for c in changes[1:])
    audit = (tmp_path / "aic" / "audit.log").read_text()
    assert "sk-audit-secret" not in audit and "sk-rotated-secret" not in audit
    backups = doc(cli("backup", "list", "-o", "json"))["backups"]
    removal = {Path(b["source"]).name: b["id"] for b in backups if b["reason"] == "mcp remove"}
    assert set(removal) == {"mcp.json", "secrets.json"}
    assert cli("backup", "restore", removal["mcp.json"]).code == 0
    assert (
        doc(cli("mcp", "show", "svc", "-o", "json"))["mcp_server"]["definition"]["command"]
        == "svc2"
    )
    [restored] = doc(cli("logs", "--action", "backup", "-o", "json"))["changes"]
    assert (restored["action"], restored["backup"]) == ("backup restore", removal["mcp.json"])


def test_inline_secrets_in_a_project_make_the_check_fail(tmp_path: Path, cli: InProcess) -> None:
    assert cli("init").code == 0
    assert (
        cli("mcp", "add", "--json", '{"t": {"command": "t", "env": {"K": "v-4242-x"}}}').code == 0
    )
    assert cli("agent", "create", "helper", "--mcp", "t").code == 0
    project = tmp_path / "project"
    written = doc(
        cli("agent", "export", "helper", "-t", "claude-code", "--dest", str(project), "-o", "json")
    )
    assert written["environment"] == ["K"]
    assert cli("agent", "export", "--check").code == 0
    inline = ("agent", "export", "helper", "-t", "claude-code", "--dest", str(project))
    assert cli(*inline, "--inline-secrets").code == 0
    check = cli("agent", "export", "--check", "-o", "json")
    assert check.code == 1
    assert [(e["state"], Path(e["path"]).name) for e in doc(check)["exports"]] == [
        ("holds-secret", ".mcp.json")
    ]


def test_a_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path, cli: InProcess) -> None:
    assert cli("init").code == 0
    project = tmp_path / "project"
    ran = cli("agent", "export", "reviewer", "-t", "agents-md", "--dest", str(project), "--dry-run")
    assert ran.code == 0
    assert "would-write" in ran.stdout
    assert "+<!-- ai-config:begin reviewer -->" in ran.stdout
    assert not project.exists()


def test_status_stats_and_logs_tell_the_whole_story(tmp_path: Path, cli: InProcess) -> None:
    assert cli("init").code == 0
    assert cli("library", "edit", "roles/code-reviewer.md").code == 0
    assert cli("library", "new", "notes/mine.md").code == 0
    assert cli("agent", "export", "reviewer", "-t", "claude-code").code == 0
    (tmp_path / "aic" / "library" / "base" / "tools" / "testing.md").write_text("moved on\n")
    status = doc(cli("status", "-o", "json"))
    assert status["override_counts"] == {"clean": 1, "personal-only": 1}
    assert status["agent_names"] == ["python-dev", "reviewer"]
    assert [e["state"] for e in status["stale_exports"]] == ["stale"]
    shown = cli("status")
    assert "1 clean, 1 personal-only" in shown.stdout and "1 exports to look at" in shown.stdout

    stats = doc(cli("stats", "-o", "json"))["stats"]
    assert (stats["personal_files"], stats["overrides"], stats["agents"]) == (2, 1, 2)
    assert stats["exports"] == 1 and stats["mcp_servers"] == 5 and stats["last_update"] is None
    assert stats["library_files"] == 14 and stats["library_bytes"] > 4000

    every = doc(cli("logs", "-o", "json"))["changes"]
    assert [c["action"] for c in every] == ["init", "library edit", "library new", "agent export"]
    assert doc(cli("logs", "--outcome", "rolled-back", "-o", "json"))["changes"] == []
    assert doc(cli("logs", "--since", "2999-01-01", "-o", "json"))["changes"] == []
    assert len(doc(cli("logs", "-n", "1", "-o", "json"))["changes"]) == 1


def test_uninstall_removes_only_what_ai_config_wrote(tmp_path: Path, cli: InProcess) -> None:
    assert cli("init").code == 0
    project = tmp_path / "project"
    project.mkdir()
    (project / "AGENTS.md").write_text("# Ours\n\nKeep this.\n")
    assert (
        cli(
            "agent",
            "export",
            "reviewer",
            "-t",
            "agents-md",
            "-t",
            "claude-code",
            "--dest",
            str(project),
        ).code
        == 0
    )
    declined = cli("uninstall", "-o", "json", stdin="n\n")
    assert (declined.code, doc(declined)["code"]) == (1, "AI_CONFIG_NOT_CONFIRMED")
    assert (tmp_path / "aic").is_dir()

    archive = tmp_path / "saved.tar.gz"
    done = doc(cli("uninstall", "--yes", "--backup-to", str(archive), "-o", "json"))["uninstall"]
    assert done["changed"] == [str(project / "AGENTS.md")]
    assert str(project / ".claude" / "agents" / "reviewer.md") in done["removed"]
    assert (project / "AGENTS.md").read_text() == "# Ours\n\nKeep this.\n"
    assert not (project / ".claude" / "agents" / "reviewer.md").exists()
    assert not (tmp_path / "aic").exists()
    with tarfile.open(archive) as saved:
        names = saved.getnames()
    assert "ai-config-home/library.lock" in names
    assert any(n.endswith("AGENTS.md") for n in names)


def test_doctor_reports_a_symlink_leading_outside(tmp_path: Path, cli: InProcess) -> None:
    assert cli("init").code == 0
    (tmp_path / "secret.txt").write_text("private\n")
    os.symlink(tmp_path / "secret.txt", tmp_path / "aic" / "library" / "personal" / "notes.md")
    ran = cli("doctor", "-o", "json")
    assert ran.code == 1
    symlinks = next(c for c in doc(ran)["checks"] if c["name"] == "symlinks")
    assert symlinks["status"] == "error"
    assert f"notes.md (personal) -> {tmp_path / 'secret.txt'}" in symlinks["message"]
    status = doc(cli("library", "status", "-o", "json"))["library"]
    assert status["unsafe_links"] == [
        {"path": "notes.md", "library": "personal", "target": str(tmp_path / "secret.txt")}
    ]


def test_a_binary_override_is_a_conflict_from_the_command_line_never_an_internal_error(
    tmp_path: Path, upstream: Any, cli: InProcess
) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256))
    upstream.push({"img/logo.png": png, "notes/cafe.md": "caf\xe9\n".encode("latin-1")})
    assert cli("init", "--library", str(upstream.bare)).code == 0
    assert cli("library", "edit", "img/logo.png").code == 0
    (tmp_path / "aic" / "library" / "personal" / "img" / "logo.png").write_bytes(png + b"mine")
    upstream.push({"img/logo.png": png + b"team", "notes/cafe.md": "th\xe9\n".encode("latin-1")})
    assert cli("library", "status", "--fetch").code == 0
    diff = cli("library", "diff", "--upstream", "-o", "json")
    assert diff.code == 0
    assert "Binary files a/img/logo.png and b/img/logo.png differ" in doc(diff)["diff"]["text"]
    assert "+th\ufffd" in doc(diff)["diff"]["text"]
    preview = cli("library", "update", "--dry-run", "-o", "json")
    assert (preview.code, doc(preview)["updates"][0]["conflicts"]) == (1, ["img/logo.png"])
    done = cli("library", "update", "-o", "json")
    assert (done.code, doc(done)["updates"][0]["conflicts"]) == (1, ["img/logo.png"])
    [override] = doc(cli("library", "status", "-o", "json"))["library"]["overrides"]
    assert (override["state"], override["upstream_copy"]) == ("conflict", "img/logo.upstream.png")
    settled = cli("library", "resolve", "img/logo.png", "--ours", "-o", "json")
    assert (settled.code, doc(settled)["override"]["state"]) == (0, "clean")
