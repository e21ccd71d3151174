"""prismd checks budgets by itself: a real prismd (started by the CLI, its checks every fifth of
a second) sees a project's spend cross a threshold with nobody asking, and says so in `project
info`, its log, and the next command's notice.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

FAST = {"PRISM_CHECK_SECONDS": "0.2"}


def test_prismd_notices_a_crossed_budget_on_its_own(prism: Any, tmp_path: Path) -> None:
    try:
        made = prism.json(
            tmp_path,
            "project",
            "create",
            "tiny",
            "--budget",
            "0.01",
            "--period",
            "total",
            "--alert",
            "50:notify",
            env=FAST,
        )
        assert made["project"]["alerts"] == []
        # g4dn.12xlarge, at $3.912/h, spends half a cent in about five seconds.
        launched = prism.run(
            tmp_path,
            "launch",
            "gpu-deep-learning",
            "t1",
            "--size",
            "XL",
            "--project",
            "tiny",
            env=FAST,
        )
        assert launched.returncode == 0, launched.stderr
        # Observe the moment: the alert is recorded by prismd's own loop, no command asks for it.
        deadline = time.monotonic() + 60
        alerts: list[dict[str, Any]] = []
        shown: list[str] = []  # the notice goes to whichever command runs next
        while not alerts and time.monotonic() < deadline:
            logs = prism.run(tmp_path, "daemon", "logs", "-n", "400", "-o", "json", env=FAST)
            shown += [line for line in logs.stderr.splitlines() if line.startswith("prism notice")]
            lines = json.loads(logs.stdout)["log"]["lines"]
            alerts = [json.loads(line) for line in lines if '"budget-alert"' in line]
        assert alerts, "prismd never recorded the crossed budget"
        assert "Project tiny has spent" in alerts[0]["event"]
        assert "past its 50% threshold: notified" in alerts[0]["event"]
        after = prism.run(tmp_path, "project", "info", "tiny", "--output", "json", env=FAST)
        shown += [line for line in after.stderr.splitlines() if line.startswith("prism notice")]
        [alert] = json.loads(after.stdout)["project"]["alerts"]
        assert alert["percent"] == 50.0
        assert [line for line in shown if "Project tiny has spent" in line], shown
    finally:
        prism.stop_daemon(tmp_path, sandbox=True)
