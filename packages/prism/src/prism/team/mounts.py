"""Mount status on every workstation, healed where it can be: each expected mount (a project's
space, a volume mounted with `prism volume mount`) is checked through SSM, and a mount that is
in fstab but lost (an NFS hiccup, a reboot before the network) is mounted again.

The script prints one ``prism-mount STATE PATH`` line per mount point; states: mounted,
remounted, lost (in fstab, mounting failed), missing (not in fstab).
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from prism.cloud.errors import aws_call

__all__ = ["MountCheck", "MountStatusList", "check_mounts", "parse_status", "status_lines"]

MARK = "prism-mount"
State = Literal["mounted", "remounted", "lost", "missing", "unreported", "simulated", "not-running"]


class MountCheck(BaseModel):
    workstation: str
    mount_point: str
    source: str = Field(description="What is mounted there: 'space lab', 'volume data'.")
    state: State
    command_id: str | None = None


class MountStatusList(BaseModel):
    mounts: list[MountCheck]


def status_lines(points: Sequence[str]) -> list[str]:
    lines = []
    for point in points:
        q = shlex.quote(point)
        lines.append(
            f"if mountpoint -q {q}; then echo {MARK} mounted {q};"
            f" elif grep -qs {shlex.quote(f' {point} ')} /etc/fstab; then"
            f" if mount {q}; then echo {MARK} remounted {q}; else echo {MARK} lost {q}; fi;"
            f" else echo {MARK} missing {q}; fi"
        )
    return lines


_REPORTED = ("mounted", "remounted", "lost", "missing")


def parse_status(output: str) -> dict[str, str]:
    """Mount point to state, from the script's lines (anything else in the output ignored)."""
    found = {}
    for line in output.splitlines():
        parts = line.strip().split(" ", 2)
        if len(parts) == 3 and parts[0] == MARK and parts[1] in _REPORTED:
            found[parts[2]] = parts[1]
    return found


def check_mounts(
    ssm: Any,
    workstation: str,
    instance_id: str,
    expected: Sequence[tuple[str, str]],
    *,
    wait_seconds: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[MountCheck]:
    """One SSM command per workstation; its output read back once it has run."""
    points = [point for point, _ in expected]
    reply = aws_call(
        "SendCommand",
        ssm.send_command,
        InstanceIds=[instance_id],
        DocumentName="AWS-RunShellScript",
        Comment="prism: check and heal mounts",
        Parameters={"commands": status_lines(points)},
    )
    command_id = str(reply["Command"]["CommandId"])
    output = _output(ssm, command_id, instance_id, wait_seconds, sleep)
    states = parse_status(output)
    return [
        MountCheck(
            workstation=workstation,
            mount_point=point,
            source=source,
            state=states.get(point, "unreported"),
            command_id=command_id,
        )
        for point, source in expected
    ]


def _output(
    ssm: Any, command_id: str, instance_id: str, wait_seconds: float, sleep: Callable[[float], None]
) -> str:
    from botocore.exceptions import ClientError

    waited = 0.0
    while waited <= wait_seconds:
        try:
            found = ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
        except ClientError:
            found = {"Status": "Pending"}
        if found["Status"] not in ("Pending", "InProgress", "Delayed"):
            return str(found.get("StandardOutputContent", ""))
        sleep(1.0)
        waited += 1.0
    return ""
