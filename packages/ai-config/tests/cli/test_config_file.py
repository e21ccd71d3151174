"""library.lock, ai-config's configuration file: validated, versioned, migrated after a backup."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ai_config.config import CURRENT_VERSION, MIGRATIONS, load_config, migrate
from ai_config.safety import Safety
from groundwork.state import BackupStore

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def flat(text: str) -> str:
    """The error panel's text on one line, whatever rich wrapped."""
    return " ".join(text.replace("│", " ").split())


def lock_of(tmp_path: Path) -> Path:
    return tmp_path / "aic" / "library.lock"


def lock_backups(tmp_path: Path) -> list[Any]:
    return BackupStore(tmp_path / "aic" / "backups").list(lock_of(tmp_path))


@pytest.fixture
def home(tmp_path: Path, run: RunCli) -> Path:
    done = run(tmp_path, "init")
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_init_writes_the_current_version_with_the_branch(
    tmp_path: Path, upstream: Any, run: RunCli
) -> None:
    done = run(tmp_path, "init", "--library", str(upstream.bare), "--branch", "main")
    assert done.returncode == 0, done.stderr
    lock = json.loads(lock_of(tmp_path).read_text())
    assert lock["version"] == CURRENT_VERSION == 2
    assert lock["sources"]["base"]["branch"] == "main"
    assert lock["sources"]["base"]["url"] == str(upstream.bare)


@pytest.mark.parametrize("versioned", [True, False], ids=["version-1", "no-version"])
def test_a_version_1_file_is_migrated_after_a_backup(
    home: Path, versioned: bool, run: RunCli
) -> None:
    lock = lock_of(home)
    revision = json.loads(lock.read_text())["sources"]["base"]["revision"]
    old = {
        **({"version": 1} if versioned else {}),
        "sources": {
            "base": {"url": None, "revision": revision},
            "team": {"url": "git@example.org:team/agents.git", "revision": "a" * 40},
        },
    }
    original = json.dumps(old, indent=4).encode()
    lock.write_bytes(original)

    done = run(home, "library", "files", "-o", "json")
    assert done.returncode == 0, done.stderr
    assert "roles/code-reviewer.md" in {f["path"] for f in json.loads(done.stdout)["files"]}
    assert "migrated" in done.stderr
    assert json.loads(lock.read_text()) == {
        "version": 2,
        "sources": {
            "base": {"url": None, "branch": None, "revision": revision},
            "team": {
                "url": "git@example.org:team/agents.git",
                "branch": None,
                "revision": "a" * 40,
            },
        },
    }
    [backup] = lock_backups(home)
    assert "version 1 to 2" in backup.reason
    assert backup.id in done.stderr
    assert (home / "aic" / "backups" / backup.id / "data").read_bytes() == original
    audit = [json.loads(line) for line in (home / "aic" / "audit.log").read_text().splitlines()]
    assert audit[-1]["action"] == "config migrate"
    assert audit[-1]["backup"] == backup.id

    again = run(home, "library", "status", "-o", "json")
    assert again.returncode == 0, again.stderr
    assert "migrated" not in again.stderr
    assert len(lock_backups(home)) == 1


def test_a_file_from_a_newer_ai_config_is_refused(home: Path, run: RunCli) -> None:
    lock = lock_of(home)
    data = json.loads(lock.read_text())
    data["version"] = 3
    data["sources"]["base"]["mirror"] = "https://example.org/mirror.git"
    lock.write_text(json.dumps(data))
    before = lock.read_bytes()

    done = run(home, "library", "files")
    assert done.returncode != 0
    assert done.returncode == 4
    assert "Traceback" not in done.stderr
    message = flat(done.stderr)
    assert "AI_CONFIG_CONFIG_TOO_NEW" in message
    assert "format version 3" in message
    assert "Upgrade ai-config" in message
    assert lock.read_bytes() == before
    assert lock_backups(home) == []

    doctor = run(home, "doctor", "-o", "json")
    assert doctor.returncode == 1
    check = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "config")
    assert check["status"] == "error"
    assert "Upgrade ai-config" in check["fix"]
    assert lock.read_bytes() == before


@pytest.mark.parametrize(
    ("change", "field", "fix"),
    [
        (lambda base: base.update(revision="not-a-commit"), "sources.base.revision", "40 hex"),
        (lambda base: base.update(revison=base["revision"]), "sources.base.revison", "a typo?"),
        (lambda base: base.update(url=42), "sources.base.url", "git URL or path"),
    ],
    ids=["bad-revision", "unknown-field", "wrong-type"],
)
def test_an_invalid_field_is_named_with_its_line(
    home: Path, change: Any, field: str, fix: str, run: RunCli
) -> None:
    lock = lock_of(home)
    data = json.loads(lock.read_text())
    change(data["sources"]["base"])
    text = json.dumps(data, indent=2) + "\n"
    lock.write_text(text)
    key = field.rsplit(".", 1)[1]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if f'"{key}"' in row)

    done = run(home, "library", "files")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    message = flat(done.stderr)
    assert "AI_CONFIG_CONFIG_INVALID" in message
    assert f"library.lock:{line}: {field}:" in message
    assert f"at line {line}" in message
    assert fix in message
    assert lock.read_text() == text

    doctor = run(home, "doctor", "-o", "json")
    check = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "config")
    assert check["status"] == "error"
    assert field in check["message"]


def test_broken_json_gives_its_line(home: Path, run: RunCli) -> None:
    lock_of(home).write_text('{\n  "version": 2,\n  "sources": {,\n}\n')
    done = run(home, "library", "status")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "library.lock:3: not valid JSON" in flat(done.stderr)


def test_doctor_reports_the_config_version(home: Path, run: RunCli) -> None:
    doctor = json.loads(run(home, "doctor", "-o", "json").stdout)
    check = next(c for c in doctor["checks"] if c["name"] == "config")
    assert check["status"] == "ok"
    assert "version 2" in check["message"]


def test_migrations_cover_every_version_and_run_step_by_step() -> None:
    assert sorted(MIGRATIONS) == list(range(1, CURRENT_VERSION))
    seen: list[int] = []

    def step(number: int) -> Any:
        def apply(data: dict[str, Any]) -> dict[str, Any]:
            seen.append(number)
            assert data["version"] == number
            return {**data, f"added_by_{number}": True}

        return apply

    result = migrate({"sources": {}}, 1, target=4, migrations={n: step(n) for n in (1, 2, 3)})
    assert seen == [1, 2, 3]
    assert result == {
        "sources": {},
        "version": 4,
        "added_by_1": True,
        "added_by_2": True,
        "added_by_3": True,
    }


def test_concurrent_loads_migrate_once(tmp_path: Path) -> None:
    lock = tmp_path / "library.lock"
    lock.write_text(json.dumps({"version": 1, "sources": {"base": {"revision": "b" * 40}}}))
    safety = Safety(tmp_path)
    with ThreadPoolExecutor(max_workers=6) as pool:
        loaded = list(pool.map(lambda _: load_config(lock, safety), range(6)))
    assert {c.sources["base"].revision for c in loaded} == {"b" * 40}
    assert len(safety.backups.list(lock)) == 1
    assert json.loads(lock.read_text())["version"] == 2
