"""Atomic writes: a reader, or a crash, never sees half a file."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from groundwork.state import atomic_write, atomic_write_json, atomic_write_text

WRITER = """
import os
import signal
import sys
from pathlib import Path

import groundwork.state.atomic as atomic

target, point = Path(sys.argv[1]), sys.argv[2]


def stop_at(name, step):
    def announced(*args, **kwargs):
        if name == point:
            print(name, flush=True)
            signal.pause()  # the test kills us here
        return step(*args, **kwargs)

    return announced


# The writer's steps, in order: mode set on the empty temp file, data flushed and fsynced,
# renamed over the target (then the folder is fsynced).
atomic.os.fchmod = stop_at("temp file made", os.fchmod)
atomic.os.fsync = stop_at("data synced", os.fsync)
atomic._fsync_dir = stop_at("renamed", atomic._fsync_dir)
atomic.atomic_write(target, b"n" * (4 * 1024 * 1024))
"""


@pytest.mark.parametrize(
    ("point", "survivor"),
    [("temp file made", b"o"), ("data synced", b"o"), ("renamed", b"n")],
)
def test_sigkill_at_each_step_of_a_write_leaves_the_old_file_or_the_new_one(
    tmp_path: Path, point: str, survivor: bytes
) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    target = tmp_path / "state.bin"
    target.write_bytes(b"o" * 10)
    writer = subprocess.Popen(
        [sys.executable, str(script), str(target), point], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == point  # it is stopped exactly there
    writer.kill()
    assert writer.wait() == -signal.SIGKILL
    expected = b"o" * 10 if survivor == b"o" else b"n" * (4 * 1024 * 1024)
    assert target.read_bytes() == expected
    # The next write is whole too, whatever the crash left behind.
    atomic_write(target, b"x" * 3)
    assert target.read_bytes() == b"xxx"


def test_private_files_are_0600_and_modes_are_kept(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    atomic_write_text(secret, "abc", private=True)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    shared = tmp_path / "shared.json"
    atomic_write_json(shared, {"a": 1})
    shared.chmod(0o640)
    atomic_write_json(shared, {"a": 2})
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert json.loads(shared.read_text()) == {"a": 2}


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "config.json"
    atomic_write_json(target, {"version": 1})
    with pytest.raises(TypeError, match="cannot serialise"):
        atomic_write_json(target, {"bad": object.__new__(Unserialisable)})
    assert json.loads(target.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


class Unserialisable:
    def __str__(self) -> str:
        raise TypeError("cannot serialise")


def test_a_write_that_need_not_survive_a_power_cut_skips_the_fsyncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr("groundwork.state.atomic.os.fsync", synced.append)
    target = tmp_path / "export.json"
    atomic_write_text(target, "old")
    assert len(synced) == 2  # the data, then the folder's entry
    atomic_write_text(target, "new", durable=False)
    assert len(synced) == 2
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]
