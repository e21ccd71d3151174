"""Atomic writes: a reader, or a crash, never sees half a file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from groundwork.state import atomic_write_json, atomic_write_text

WRITER = """
import sys
from pathlib import Path
from groundwork.state import atomic_write
target = Path(sys.argv[1])
size = 4 * 1024 * 1024
print("ready", flush=True)
i = 0
while True:
    atomic_write(target, (b"ab"[i % 2 : i % 2 + 1]) * (size + i % 7))
    i += 1
"""


def test_sigkill_during_writes_leaves_a_whole_file(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    target = tmp_path / "state.bin"
    target.write_bytes(b"o" * 10)
    for delay in (0.05, 0.13, 0.21, 0.34, 0.55):
        proc = subprocess.Popen([sys.executable, str(script), str(target)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        proc.stdout.readline()
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        first = data[:1]
        assert data == first * len(data), "torn file: mixed contents"
        assert first == b"o" or len(data) >= 4 * 1024 * 1024
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 5


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
    with contextlib.suppress(TypeError):
        atomic_write_json(target, {"bad": object.__new__(Unserialisable)})
    assert json.loads(target.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


class Unserialisable:
    def __str__(self) -> str:
        raise TypeError("cannot serialise")
