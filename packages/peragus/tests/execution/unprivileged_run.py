"""Runs one cell and prints the result as JSON. The test starts it as a user who is not root
(``unprivileged.namespace_command``): the containment a user gets on a machine without a
writable cgroup hierarchy (Linux as a user, macOS).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from peragus.execution.containment import containment_kind
from peragus.execution.runner import CellRun, Limits


def main() -> None:
    folder, max_tasks, memory_mb = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    limits = Limits(max_tasks=max_tasks, memory_mb=memory_mb, timeout_seconds=60)
    run = CellRun(folder.parent / "home", folder, "cell.mjs", limits=limits)
    result = run.run()
    document = {
        "kind": containment_kind(),
        "uid": os.getuid(),
        "run_id": run.run_id,
        "ok": result.ok,
        "exit_code": result.exit_code,
        "timed_out": result.timed_out,
        "output": "".join(text for _, text in result.output),
    }
    print(json.dumps(document))


if __name__ == "__main__":
    main()
