"""The service token: made once, private, and the same for everyone who asks at once."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from groundwork.service import load_or_create_token


def test_processes_starting_together_agree_on_one_token(tmp_path: Path) -> None:
    path = tmp_path / "demo.token"
    everyone = threading.Barrier(8)
    tokens: list[str] = []

    def start() -> None:
        everyone.wait()
        tokens.append(load_or_create_token(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1
    assert path.read_text().strip() == tokens[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["demo.token"]  # no drafts left behind


def test_a_token_too_short_to_be_ours_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "demo.token"
    path.write_text("short\n")
    token = load_or_create_token(path)
    assert len(token) >= 32
    assert load_or_create_token(path) == token
