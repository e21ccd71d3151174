"""`prism tui` on a real terminal (a pseudo-terminal), stdout redirected: it draws on the error
output, quits on q, and prints the session as one JSON document on stdout."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from typing import Any


def test_it_draws_on_the_terminal_and_prints_the_session_on_stdout(clocked_prismd: Any) -> None:
    terminal, tty = pty.openpty()
    fcntl.ioctl(tty, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "prism", "tui", "-o", "json"],
        stdin=tty,
        stdout=subprocess.PIPE,
        stderr=tty,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(tty)
    drawn = bytearray()
    ready = threading.Event()

    def read() -> None:
        while True:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:
                return
            if not chunk:
                return
            drawn.extend(chunk)
            if b"Workstations" in drawn:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), drawn.decode(errors="replace")[-2000:]
        os.write(terminal, b"q")
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(terminal)
    assert process.returncode == 0
    assert json.loads(out) == {"actions": []}
