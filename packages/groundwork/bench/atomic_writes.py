"""The price of crash safety: an atomic write (temp file, fsync, rename, folder fsync) against a
plain ``write_text`` that can leave a torn file.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from groundwork.bench import print_figure, time_call
from groundwork.state import atomic_write_json

STATE = {"workstations": [{"name": f"ws-{i}", "state": "running"} for i in range(200)]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "state.json"
        text = json.dumps(STATE, indent=2)
        plain = time_call(lambda: target.write_text(text), runs=50)
        atomic = time_call(lambda: atomic_write_json(target, STATE), runs=50)
    print_figure("plain write of a 20 KB state file", plain.median_ms, "ms")
    print_figure("atomic write of the same file", atomic.median_ms, "ms", target="< 10 ms")


if __name__ == "__main__":
    main()
