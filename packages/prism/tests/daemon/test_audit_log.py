"""The audit log sets a full file aside instead of growing without end or losing entries."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from prism.team.audit import AuditLog
from prism.team.model import AuditEntry


def entry(number: int, project: str) -> AuditEntry:
    return AuditEntry(
        at=datetime(2026, 11, 29, tzinfo=UTC),
        who="ana",
        role="member",
        action="workstation.stop",
        target=f"ws-{number}",
        project=project,
        source="127.0.0.1",
        outcome="allowed",
        status=200,
    )


def test_a_full_log_is_set_aside_and_still_read_newest_first(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", rotate_bytes=1000)
    for number in range(40):
        log.write(entry(number, "genomics" if number % 10 == 0 else "physics"))

    files = log.files()
    assert len(files) > 3
    assert all(path.stat().st_size <= 1000 for path in files)
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)
    assert [e.target for e in log.read(last=40)] == [f"ws-{n}" for n in reversed(range(40))]
    assert [e.target for e in log.read(project="genomics")] == ["ws-30", "ws-20", "ws-10", "ws-0"]
    assert [e.target for e in log.read(last=3)] == ["ws-39", "ws-38", "ws-37"]


def test_a_line_torn_by_a_crash_is_skipped_and_the_next_entry_kept(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", rotate_bytes=1000)
    log.write(entry(0, "physics"))
    with (tmp_path / "audit.jsonl").open("a") as out:
        out.write('{"at": "2026-11-29T00:00')
    for number in range(1, 10):
        log.write(entry(number, "physics"))
    assert [e.target for e in log.read(last=100)] == [f"ws-{n}" for n in reversed(range(10))]
