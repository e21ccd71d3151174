"""One output contract: every command, with --output json, prints exactly one JSON object on
stdout, in the documented shape; a failing command prints one problem+json document there
instead, and exits with the same code as without --output json.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import typer

from prism.cli import app

NO_AWS = {"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}

# (command line, exit code, the key the document must have, and for errors the code)
RUNS: list[tuple[list[str], int, str]] = [
    (["templates", "list"], 0, "templates"),
    (["templates", "info", "rocky-conda-stack"], 0, "template"),
    (["templates", "validate"], 0, "reports"),
    (["templates", "render", "ubuntu-server"], 0, "script"),
    (["templates", "search", "python"], 0, "entries"),
    (["templates", "install", "builtin/ubuntu-server"], 0, "installation"),
    (["templates", "history", "ubuntu-server"], 0, "history"),
    (["templates", "rollback", "ubuntu-server", "1.0.0"], 0, "history"),
    (["templates", "update"], 0, "updates"),
    (["templates", "new", "j-new", "--yes"], 0, "template"),
    (["templates", "docs", "j-new", "--out", "{state}/docs"], 0, "docs"),
    (["templates", "test", "python-ml-workstation"], 0, "test"),
    (["templates", "repo", "list"], 0, "repositories"),
    (["templates", "repo", "add", "j-repo", "{state}/no-such.git"], 6, "PRISM_REPO_UNREACHABLE"),
    (["templates", "repo", "update", "j-repo"], 3, "PRISM_REPO_NOT_FOUND"),
    (["templates", "repo", "remove", "j-repo"], 3, "PRISM_REPO_NOT_FOUND"),
    (["templates", "install", "j-repo/x@1.0.0"], 3, "PRISM_REPO_NOT_FOUND"),
    (["profiles", "list"], 0, "profiles"),
    (["profiles", "add", "j-lab", "--region", "eu-west-1"], 0, "profile"),
    (["profiles", "show", "j-lab"], 0, "profile"),
    (["profiles", "use", "sandbox"], 0, "profile"),
    (["profiles", "remove", "j-lab"], 0, "profile"),
    (["profiles", "wizard", "--yes"], 3, "PRISM_AWS_NO_PROFILES"),
    (["daemon", "start"], 0, "daemon"),
    (["daemon", "status"], 0, "daemon"),
    (["launch", "ubuntu-server", "j-box"], 0, "workstation"),
    (["launch", "gpu-deep-learning", "j-dry", "--size", "L", "--dry-run"], 0, "workstation"),
    (["launch", "ubuntu-server", "j-quick", "--no-wait"], 0, "workstation"),
    (["list"], 0, "workstations"),
    (["info", "j-box"], 0, "workstation"),
    (["stop", "j-box"], 0, "workstation"),
    (["start", "j-box"], 0, "workstation"),
    (["hibernate", "j-box"], 0, "workstation"),
    (["resume", "j-box"], 0, "workstation"),
    (["cost"], 0, "costs"),
    (["idle", "policy", "create", "j-pol", "--idle", "30m", "--action", "stop"], 0, "policy"),
    (["idle", "policy", "create", "j-pol", "--idle", "soon"], 2, "PRISM_DURATION_INVALID"),
    (["idle", "policy", "list"], 0, "policies"),
    (["idle", "apply", "j-pol", "j-box"], 0, "assignment"),
    (["idle", "apply", "j-pol"], 2, "PRISM_IDLE_APPLY_TARGET"),
    (["idle", "status"], 0, "statuses"),
    (["idle", "simulate", "j-box", "--idle", "10m"], 0, "status"),
    (["idle", "policy", "delete", "j-pol"], 4, "PRISM_IDLE_POLICY_IN_USE"),
    (["project", "create", "j-proj", "--budget", "100"], 0, "project"),
    (
        ["project", "create", "j-bad", "--budget", "5", "--alert", "lots"],
        2,
        "PRISM_BUDGET_ALERT_INVALID",
    ),
    (["project", "list"], 0, "projects"),
    (["project", "info", "j-proj"], 0, "project"),
    (["project", "budget", "j-proj", "200", "--alert", "90:stop_all"], 0, "project"),
    (["project", "info", "j-none"], 3, "PRISM_PROJECT_NOT_FOUND"),
    (["launch", "ubuntu-server", "j-in", "--project", "j-proj", "--no-idle"], 0, "workstation"),
    (["cost", "--project", "j-proj", "--by", "kind"], 0, "costs"),
    (["user", "create", "j-ada"], 0, "user"),
    (["user", "create", "J Ada"], 2, "PRISM_USER_NAME_INVALID"),
    (["user", "list"], 0, "users"),
    (["user", "info", "j-ada"], 0, "user"),
    (["user", "key", "add", "j-ada", "--generate"], 0, "key"),
    (["user", "key", "list", "j-ada"], 0, "user"),
    (["user", "key", "remove", "j-ada", "SHA256:none"], 3, "PRISM_KEY_NOT_FOUND"),
    (["user", "add-to", "j-box", "j-ada"], 0, "users"),
    (["user", "remove-from", "j-box", "j-ada"], 0, "users"),
    (["team", "invite", "j-ada", "--role", "member", "--project", "j-proj"], 0, "invitation"),
    (["team", "list"], 0, "members"),
    (["team", "join", "http://127.0.0.1:9", "--ticket", "t0k3n"], 6, "PRISM_DAEMON_UNREACHABLE"),
    (["project", "space", "create", "j-proj"], 0, "space"),
    (["project", "space", "info", "j-proj"], 0, "space"),
    (["project", "template", "list", "j-proj"], 0, "templates"),
    (
        ["project", "template", "add", "j-proj", "{state}/none.yml"],
        3,
        "PRISM_TEMPLATE_FILE_UNREADABLE",
    ),
    (["project", "template", "remove", "j-proj", "nope"], 3, "PRISM_PROJECT_TEMPLATE_NOT_FOUND"),
    (["volume", "status"], 0, "mounts"),
    (["team", "revoke", "j-ada"], 0, "members"),
    (["audit", "--last", "5"], 0, "entries"),
    (["user", "delete", "j-ada", "--yes"], 0, "user"),
    (["snapshot", "create", "j-box", "--name", "j-snap"], 0, "snapshot"),
    (["snapshot", "list"], 0, "snapshots"),
    (["snapshot", "restore", "j-snap", "--as", "j-copy"], 0, "workstation"),
    (["snapshot", "delete", "j-snap", "--yes"], 0, "snapshot"),
    (["snapshot", "delete", "j-snap", "--yes"], 3, "PRISM_SNAPSHOT_NOT_FOUND"),
    (["save", "j-copy", "--as-template", "j-saved"], 0, "image"),
    (["storage", "report"], 0, "report"),
    (["volume", "create", "j-vol"], 0, "volume"),
    (["volume", "list"], 0, "volumes"),
    (["volume", "mount", "j-vol", "j-box"], 0, "volume"),
    (["volume", "unmount", "j-vol", "j-box"], 0, "volume"),
    (["volume", "backup", "j-vol", "--on"], 6, "PRISM_BACKUP_UNAVAILABLE"),
    (["volume", "backups", "j-vol"], 6, "PRISM_BACKUP_UNAVAILABLE"),
    (["volume", "restore", "j-vol", "--as", "j-vol2"], 6, "PRISM_BACKUP_UNAVAILABLE"),
    (["volume", "delete", "j-vol", "--yes"], 0, "volume"),
    (["storage", "create", "j-disk", "--size", "10G", "--workstation", "j-box"], 0, "disk"),
    (["storage", "create", "j-big", "--size", "10 parsecs"], 2, "PRISM_SIZE_INVALID"),
    (["storage", "list"], 0, "disks"),
    (["storage", "attach", "j-disk", "j-box"], 0, "disk"),
    (["storage", "detach", "j-disk"], 0, "disk"),
    (["storage", "delete", "j-disk", "--yes"], 0, "disk"),
    (["storage", "create", "j-spare", "--size", "1G"], 0, "disk"),
    (["storage", "cleanup", "--dry-run"], 0, "cleanup"),
    (["storage", "cleanup", "--only", "j-spare", "--yes"], 0, "cleanup"),
    (["connect", "j-box"], 1, "PRISM_SANDBOX_NOTHING_TO_CONNECT"),
    (["web", "j-box"], 1, "PRISM_SANDBOX_NOTHING_TO_CONNECT"),
    (["connect", "j-box", "--vscode", "--print"], 0, "editor"),
    (["connect", "j-box", "--vscode"], 1, "PRISM_SANDBOX_NOTHING_TO_CONNECT"),
    (["ssh-config"], 0, "ssh_hosts"),
    (["tui"], 2, "PRISM_TUI_NEEDS_TERMINAL"),  # its session document: tests/tui, on a pty
    (["data", "ls", "s3://j-no-such-bucket"], 3, "PRISM_BUCKET_NOT_FOUND"),
    (["data", "sync", "s3://j-no-such-bucket/x", "{state}/j-data"], 3, "PRISM_BUCKET_NOT_FOUND"),
    (["data", "bucket", "list"], 0, "buckets"),
    (
        ["data", "bucket", "add", "j-set", "s3://j-no-such-bucket", "--project", "j-proj"],
        3,
        "PRISM_BUCKET_NOT_FOUND",
    ),
    (["data", "bucket", "remove", "j-set", "--yes"], 3, "PRISM_DATA_BUCKET_NOT_FOUND"),
    (["delete", "j-box", "--yes"], 0, "workstation"),
    (["delete", "j-in", "--yes"], 0, "workstation"),
    (["volume", "delete", "space-j-proj", "--yes"], 0, "volume"),
    (["project", "delete", "j-proj"], 0, "project"),
    (["info", "j-box"], 3, "PRISM_WORKSTATION_NOT_FOUND"),
    (["launch", "no-such-template", "j-x"], 3, "PRISM_TEMPLATE_NOT_FOUND"),
    (["launch", "ubuntu-server", "j-x", "--size", "XXL"], 2, "PRISM_USAGE"),
    (["storage", "create", "j-x", "--type", "io9"], 2, "PRISM_USAGE"),
    (["no-such-command"], 2, "PRISM_USAGE"),
    (["templates", "form"], 0, "form"),
    (["dashboard", "--no-open"], 0, "dashboard"),
    (["daemon", "logs"], 0, "log"),
    (["doctor"], 0, "checks"),
    (["daemon", "stop"], 0, "daemon"),
]


def command_paths(group: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every command of the CLI, as the words that run it."""
    paths = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            paths |= command_paths(command, (*prefix, name))
        else:
            paths.add((*prefix, name))
    return paths


@pytest.mark.timeout(900)  # some ninety commands, each a process, on a shared machine
def test_every_command_prints_one_json_document_or_a_problem(prism: Any, sandbox: Path) -> None:
    for line, exit_code, key in RUNS:
        args = [arg.replace("{state}", str(sandbox)) for arg in line]
        result = prism.run(sandbox, *args, "--output", "json", env=NO_AWS)
        assert result.returncode == exit_code, (args, result.stdout, result.stderr)
        document = json.loads(result.stdout)  # one document: a second would make this fail
        assert isinstance(document, dict), args
        if exit_code == 0:
            assert key in document, (args, document)
        else:
            assert document["code"] == key, (args, document)
            assert document["exit_code"] == exit_code
            assert document["suggestions"], args
            assert "Traceback" not in result.stderr
    ran = {tuple(a for a in args if not a.startswith("-")) for args, _, _ in RUNS}
    missing = {
        path
        for path in command_paths(typer.main.get_command(app))
        if not any(run[: len(path)] == path for run in ran)
    }
    assert not missing, f"commands without a JSON check: {sorted(missing)}"


def test_results_have_the_documented_shapes(prism: Any, sandbox: Path) -> None:
    launched = prism.json(sandbox, "launch", "ubuntu-server", "s-box")
    assert launched["workstation"]["state"] == "running"
    assert launched["dry_run"] is False
    shown = prism.json(sandbox, "info", "s-box")["workstation"]
    assert (shown["name"], shown["instance_id"]) == (
        "s-box",
        launched["workstation"]["instance_id"],
    )
    assert "s-box" in [w["name"] for w in prism.json(sandbox, "list")["workstations"]]
    hibernated = prism.json(sandbox, "hibernate", "s-box")
    assert "stopped instead" in hibernated["notice"]
    assert hibernated["workstation"]["state"] == "stopping"
    deleted = prism.json(sandbox, "delete", "s-box", "--yes")
    assert deleted["workstation"]["state"] == "deleted"


def test_a_declined_confirmation_is_an_error_and_deletes_nothing(prism: Any, sandbox: Path) -> None:
    prism.json(sandbox, "launch", "ubuntu-server", "keep-me", "--no-wait")
    declined = prism.run(sandbox, "delete", "keep-me", "--output", "json", input="n\n")
    assert declined.returncode == 1
    assert json.loads(declined.stdout)["code"] == "PRISM_DELETE_DECLINED"
    assert "Delete keep-me" in declined.stderr
    assert prism.json(sandbox, "info", "keep-me")["workstation"]["state"] != "deleted"


def test_a_daemon_that_cannot_start_is_a_problem_document(prism: Any, tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = {"PRISM_DAEMON_PORT": str(holder.getsockname()[1])}
        result = prism.run(tmp_path, "list", "--output", "json", env=port)
    assert result.returncode == 6
    assert json.loads(result.stdout)["code"] == "PRISM_DAEMON_START_FAILED"
