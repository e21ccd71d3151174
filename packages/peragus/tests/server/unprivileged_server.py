"""The peragus server as a user who is not root, with the containment tests' limits: prints its
URL as one JSON line once it listens, and serves until its stdin closes.

Started by the containment tests through ``tests/execution/unprivileged.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from groundwork.service import running_service
from peragus.execution.containment import containment_kind
from peragus.execution.runner import Limits
from peragus.server.app import peragus_app
from peragus.server.config import server_config

LIMITS = Limits(timeout_seconds=60, memory_mb=384, max_tasks=120, output_bytes=2_000_000)


def main() -> None:
    home, notebooks = Path(sys.argv[1]), Path(sys.argv[2])
    config = server_config(home, port=0)
    app = peragus_app(home, notebooks, config, LIMITS)
    with running_service(app, config) as info:
        print(json.dumps({"url": info.url, "containment": containment_kind()}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
