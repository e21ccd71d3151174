"""prismd checks mounts on its own timer: with PRISM_MOUNT_CHECK_SECONDS=1, a workstation
launched into a project with a space gets the check through SSM without anyone asking, seen in
the sandbox's SSM and in prismd's log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from prism.sandbox.emulator import SANDBOX_CREDENTIALS, Sandbox

TIMER = {"PRISM_MOUNT_CHECK_SECONDS": "1"}


@pytest.fixture
def state(prism: Any, tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    prism.stop_daemon(tmp_path, TIMER, sandbox=True)


def _until(found: Any, what: str, seconds: float = 90.0) -> Any:
    """Polls until ``found()`` gives something; the timer runs in real time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s")


@pytest.mark.timeout(300)
def test_prismd_checks_a_projects_mounts_on_its_own(prism: Any, state: Path) -> None:
    def ok(*args: str) -> Any:
        result = prism.run(state, *args, "-o", "json", env=TIMER)
        assert result.returncode == 0, result.stderr + result.stdout
        return json.loads(result.stdout)

    ok("project", "create", "lab")
    ok("user", "create", "ada")
    ok("team", "invite", "ada", "--role", "member", "--project", "lab")
    ok("project", "space", "create", "lab")
    ws = ok("launch", "ubuntu-server", "timed", "--project", "lab", "--user", "ada", "--no-idle")
    instance = ws["workstation"]["instance_id"]
    url = Sandbox(state).url()
    assert url is not None
    ssm = boto3.client("ssm", endpoint_url=url, region_name="us-east-1", **SANDBOX_CREDENTIALS)

    def checks() -> list[dict[str, Any]]:
        found = ssm.list_commands(InstanceId=instance)["Commands"]
        return [c for c in found if c["Comment"] == "prism: check and heal mounts"]

    [first, *_] = _until(checks, "a mount check through SSM")
    script = "\n".join(first["Parameters"]["commands"])
    assert "mountpoint -q /shared/lab/team" in script
    assert "mountpoint -q /shared/lab/users/ada" in script
    log = state / "logs" / "prismd.log"

    def checked() -> set[str]:
        """Mount points logged as checked on the running workstation (rounds while it was
        still booting log it as not running).
        """
        lines = log.read_text().splitlines() if log.exists() else []
        entries = [json.loads(line) for line in lines if "mount checked" in line]
        return {
            e["mount_point"]
            for e in entries
            if e["workstation"] == "timed" and e["state"] == "simulated"
        }

    wanted = {"/shared/lab/team", "/shared/lab/users/ada"}
    assert _until(lambda: checked() >= wanted, "the check in prismd's log")
