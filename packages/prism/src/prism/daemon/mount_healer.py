"""prismd's own round of mount checks: every ``PRISM_MOUNT_CHECK_SECONDS`` (default 600) each
running workstation's expected mounts are checked through SSM and a lost one mounted again,
without anyone asking; what it found goes to the log and, when it changed something or could
not, to the audit log as prismd's doing.
"""

from __future__ import annotations

import os
import threading

from groundwork.errors import ExitCode, ToolError
from groundwork.logs import get_logger
from prism.daemon.space_api import check_all
from prism.daemon.team_api import TeamServices
from prism.team.model import AuditEntry

__all__ = ["MountHealer", "mount_check_seconds"]

DEFAULT_SECONDS = 600.0
log = get_logger("prism.daemon")


def mount_check_seconds() -> float:
    raw = os.environ.get("PRISM_MOUNT_CHECK_SECONDS", "").strip()
    if not raw:
        return DEFAULT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ToolError(
            "PRISM_SETTING_INVALID",
            f"PRISM_MOUNT_CHECK_SECONDS={raw!r} is not a valid setting.",
            suggestions=["Set it to a positive number of seconds, or unset it for 600."],
            exit_code=ExitCode.USAGE,
        )
    return value


class MountHealer:
    def __init__(self, team: TeamServices, interval_seconds: float) -> None:
        self.team = team
        self.interval = interval_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="mount-checks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.run_once()
            except ToolError as exc:
                log.warning("mount check failed", error=exc.message)
            except Exception:  # the timer must outlive one bad round
                log.exception("mount check failed")

    def run_once(self) -> None:
        for check in check_all(self.team).mounts:
            log.info(
                "mount checked",
                workstation=check.workstation,
                mount_point=check.mount_point,
                state=check.state,
            )
            if check.state not in ("remounted", "lost", "missing"):
                continue
            ws = self.team.engine.store.get(check.workstation)
            self.team.audit.write(
                AuditEntry(
                    at=self.team.records.clock.now(),
                    who="prismd",
                    role="",
                    action=f"volume.{'remount' if check.state == 'remounted' else 'check'}",
                    target=f"{check.mount_point}@{check.workstation}",
                    project=ws.project if ws else None,
                    source="prismd",
                    outcome="allowed" if check.state == "remounted" else "failed",
                    status=200 if check.state == "remounted" else 500,
                    reason="" if check.state == "remounted" else f"the mount is {check.state}",
                )
            )
