"""The commands that change what protects a peragus: the secrets key (kept apart from the
database, moved there from beside it, rotated with every secret re-encrypted), the token, and the
audit log that records each; and `doctor --watch` against a running server's alerts.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest
from cryptography.fernet import Fernet

from groundwork.errors import ToolError
from peragus.observability.audit import AuditAction, AuditFilter, AuditLog
from peragus.settings.store import SettingsStore

from ..server.process import free_port, start_server
from .test_peragus_cli import environment, one_document, peragus


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PERAGUS_KEYRING", "0")  # the file, whatever the machine offers
    return tmp_path / "home"


def test_the_key_lives_in_the_config_folder_and_an_old_one_moves_there(home: Path) -> None:
    store = SettingsStore(home)
    store.set_secret("API_TOKEN", "tok-1")
    store.close()
    key = home / "config" / "secrets.key"
    assert key.is_file() and not (home / "secrets.key").exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.parent != (home / "peragus.db").parent

    key.rename(home / "secrets.key")  # where an earlier release kept it
    store = SettingsStore(home)
    assert store.key_moved and key.is_file() and not (home / "secrets.key").exists()
    assert store.secret_values("any") == {"API_TOKEN": "tok-1"}
    store.close()


def test_two_different_keys_are_a_conflict_not_a_guess(home: Path) -> None:
    store = SettingsStore(home)
    store.set_secret("API_TOKEN", "tok-1")
    store.close()
    (home / "secrets.key").write_bytes(Fernet.generate_key())
    done = peragus(home, "doctor", "-o", "json")  # doctor only looks, and says where it is
    [check] = [c for c in one_document(done.stdout)["checks"] if c["name"] == "secrets key"]
    assert check["message"] == f"{home / 'secrets.key'} sits beside the database"
    with pytest.raises(ToolError, match="two different secrets keys") as raised:
        SettingsStore(home)
    assert raised.value.code == "PERAGUS_SECRETS_KEY_CONFLICT"


def test_rotate_key_reencrypts_every_secret(home: Path) -> None:
    store = SettingsStore(home)
    store.set_secret("API_TOKEN", "tok-1")
    store.set_secret("DB_URL", "postgres://x")
    old_key = (home / "config" / "secrets.key").read_bytes()
    store.close()
    done = peragus(home, "secrets", "rotate-key", "-o", "json")
    assert done.returncode == 0, done.stderr
    assert one_document(done.stdout)["secrets_key"]["secrets"] == 2
    assert (home / "config" / "secrets.key").read_bytes() != old_key
    store = SettingsStore(home)
    assert store.secret_values("any") == {"API_TOKEN": "tok-1", "DB_URL": "postgres://x"}
    store.close()


def test_a_rotation_cut_short_keeps_a_key_that_opens_every_secret(home: Path) -> None:
    store = SettingsStore(home)
    store.set_secret("API_TOKEN", "tok-1")
    store.close()
    # The state a crash right after the transaction leaves: the secrets under the next key,
    # the key file still the old one.
    next_key = Fernet.generate_key()
    import sqlite3

    with sqlite3.connect(home / "peragus.db") as db:
        db.execute(
            "UPDATE secrets SET ciphertext = ?",
            (Fernet(next_key).encrypt(b"tok-1").decode(),),
        )
    (home / "config" / "secrets.key.next").write_bytes(next_key + b"\n")
    store = SettingsStore(home)
    assert store.secret_values("any") == {"API_TOKEN": "tok-1"}
    assert not (home / "config" / "secrets.key.next").exists()
    store.close()


def test_token_rotate_and_key_rotation_refuse_while_the_server_runs(
    home: Path, tmp_path: Path
) -> None:
    server = start_server(home, tmp_path / "notebooks", free_port())
    try:
        for args in (["token", "rotate"], ["secrets", "rotate-key"]):
            done = peragus(home, *args, "-o", "json")
            assert done.returncode == 4
            assert one_document(done.stdout)["code"] == "PERAGUS_SERVER_RUNNING"
    finally:
        server.interrupt()
        server.process.wait(timeout=30)
    before = (home / "peragus.token").read_text()
    assert peragus(home, "token", "rotate").returncode == 0
    assert (home / "peragus.token").read_text() != before
    assert stat.S_IMODE((home / "peragus.token").stat().st_mode) == 0o600


def test_doctor_watch_says_when_an_alert_starts(home: Path, tmp_path: Path) -> None:
    server = start_server(home, tmp_path / "notebooks", free_port())
    try:
        import httpx

        headers = {"authorization": f"Bearer {server.token}"}
        limits = {"memory_mb": 16, "errors_per_minute": 100, "cell_seconds": 600}
        assert httpx.put(f"{server.url}/api/settings/alerts", json=limits, headers=headers)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "peragus",
                "doctor",
                "--watch",
                "--count",
                "2",
                "--interval",
                "0.1",
                "-o",
                "json",
            ],
            env=environment(home),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.interrupt()
        server.process.wait(timeout=30)
    assert done.returncode == 1  # an alert is an error
    report = json.loads(done.stdout)
    [alert] = [c for c in report["checks"] if c["name"].startswith("alert")]
    assert alert["name"] == "alert: memory" and "over the 16 MB threshold" in alert["message"]
    assert done.stderr.count("alert peragus and its cells use") == 1  # said once, when it began
    events = [json.loads(line) for line in (home / "logs" / "audit.jsonl").read_text().splitlines()]
    assert events[-1]["action"] == "settings.alerts" and events[-1]["detail"]["memory_mb"] == "16"


def test_the_audit_log_rotates_keeps_five_and_reads_across_them(home: Path) -> None:
    log = AuditLog(home / "logs" / "audit.jsonl", max_bytes=600)
    for n in range(40):
        log.record("secret.set", f"S{n:02}", via="cli")
    files = log.files()
    assert [f.name for f in files] == ["audit.jsonl", *(f"audit.jsonl.{n}" for n in range(1, 6))]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert all(f.stat().st_size <= 600 for f in files)
    with files[0].open("a") as current:
        current.write('{"at": "2026-11-29T1')  # a line a kill -9 cut short
    newest = [e.target for e in log.read(limit=8)]
    assert newest == [f"S{n:02}" for n in range(39, 31, -1)]  # the torn line skipped, in order

    shown = one_document(
        peragus(home, "audit", "--action", "secret", "-n", "3", "-o", "json").stdout
    )
    assert [e["target"] for e in shown["events"]] == ["S39", "S38", "S37"]


def test_an_unknown_audit_action_is_refused_naming_the_known_ones(home: Path) -> None:
    done = peragus(home, "audit", "--action", "secrt")
    assert done.returncode == 2
    assert "'secrt' is not one of" in done.stderr and "'secret'" in done.stderr
    actions = set(get_args(AuditAction))
    assert {str(f) for f in AuditFilter} == actions | {a.split(".")[0] for a in actions}
