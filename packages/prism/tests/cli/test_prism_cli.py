"""The prism CLI end to end as people use it: a real daemon, the sandbox (moto as its own
process), over HTTP.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any


def test_the_first_user_journey_in_the_sandbox(prism: Any, sandbox: Path) -> None:
    listed = prism.run(sandbox, "templates", "list")
    assert listed.returncode == 0
    assert "python-ml-workstation" in listed.stdout

    launched = prism.run(sandbox, "launch", "python-ml-workstation", "demo")
    assert launched.returncode == 0, launched.stderr
    assert "demo is running" in launched.stdout
    assert "simulated by the sandbox" in launched.stdout
    assert "Launching demo" in launched.stderr
    assert "launch demo: done (100%)" in launched.stderr
    emulator_log = sandbox / "sandbox" / "moto.log"
    assert stat.S_IMODE(emulator_log.stat().st_mode) == 0o600

    table = prism.run(sandbox, "list")
    row = next(line for line in table.stdout.splitlines() if "demo" in line)
    assert "running" in row
    assert "t3.medium" in row
    assert "(simulated)" in row
    ws = prism.json(sandbox, "info", "demo")["workstation"]
    assert ws["architecture"] == "x86_64"

    assert "demo is stopping" in prism.run(sandbox, "stop", "demo").stdout
    assert "demo is pending" in prism.run(sandbox, "start", "demo").stdout
    cost = prism.json(sandbox, "cost", "demo")
    assert cost["costs"][0]["hourly_usd"] == 0.0416

    declined = prism.run(sandbox, "delete", "demo", input="n\n")
    assert declined.returncode == 1
    assert "Delete demo (Python ML Workstation" in declined.stderr
    assert "PRISM_DELETE_DECLINED" in declined.stderr
    assert declined.stdout == ""
    accepted = prism.run(sandbox, "delete", "demo", input="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert "demo is deleted" in accepted.stdout
    names = [w["name"] for w in prism.json(sandbox, "list")["workstations"]]
    assert "demo" not in names


def test_a_duplicate_name_is_refused_with_what_to_do(prism: Any, sandbox: Path) -> None:
    assert prism.run(sandbox, "launch", "ubuntu-server", "twin", "--no-wait").returncode == 0
    again = prism.run(sandbox, "launch", "ubuntu-server", "twin")
    assert again.returncode == 4
    assert "PRISM_WORKSTATION_EXISTS" in again.stderr
    assert "delete it first" in again.stderr
    assert "Traceback" not in again.stderr


def test_hibernation_sizes_and_dry_runs(prism: Any, sandbox: Path) -> None:
    spot = prism.run(sandbox, "launch", "ubuntu-server", "x", "--spot", "--hibernation")
    assert spot.returncode == 2
    assert "PRISM_SPOT_HIBERNATION_UNSUPPORTED" in spot.stderr
    small = prism.run(sandbox, "launch", "python-ml-workstation", "x", "--size", "XS")
    assert small.returncode == 2
    assert "--size M" in small.stderr
    unknown_size = prism.run(sandbox, "launch", "ubuntu-server", "x", "--size", "XXL")
    assert unknown_size.returncode == 2
    assert "XS" in unknown_size.stderr
    dry = prism.json(sandbox, "launch", "gpu-deep-learning", "gpu", "--size", "L", "--dry-run")
    assert dry["dry_run"] is True
    assert dry["workstation"]["instance_type"] == "g4dn.8xlarge"
    assert "gpu" not in [w["name"] for w in prism.json(sandbox, "list")["workstations"]]

    hib = prism.json(sandbox, "launch", "ubuntu-server", "sleepy", "--hibernation")
    assert hib["workstation"]["hibernation"] is True
    reply = prism.json(sandbox, "hibernate", "sleepy")
    assert reply["notice"] is None
    assert reply["workstation"]["state"] == "hibernated"
    assert prism.json(sandbox, "resume", "sleepy")["workstation"]["state"] == "pending"


def test_bad_input_is_a_clear_error_and_changes_nothing(prism: Any, sandbox: Path) -> None:
    before = prism.json(sandbox, "list")
    unknown = prism.run(sandbox, "launch", "python-ml-workstatoin", "y")
    assert unknown.returncode == 3
    assert "python-ml-workstation" in unknown.stderr
    bad_param = prism.run(sandbox, "launch", "python-ml-workstation", "y", "--param", "python")
    assert bad_param.returncode == 2
    assert "key=value" in bad_param.stderr
    bad_name = prism.run(sandbox, "launch", "ubuntu-server", "no spaces")
    assert bad_name.returncode == 2
    assert "PRISM_NAME_INVALID" in bad_name.stderr
    for result in (unknown, bad_param, bad_name):
        assert "Traceback" not in result.stderr
    assert prism.json(sandbox, "list") == before


def test_a_broken_user_template_is_reported_with_its_line(prism: Any, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.yml").write_text(
        "name: Broken\nbase: ubuntu-22.04\nports: [http]\n"
    )
    invalid = prism.run(tmp_path, "templates", "validate", "-o", "json")
    assert invalid.returncode == 1
    result = json.loads(invalid.stdout)
    [broken] = [r for r in result["reports"] if not r["ok"]]
    assert broken["errors"][0]["line"] == 3
    assert result["invalid"] == 1
    # Wide enough that the long temporary path is not wrapped inside the table cell.
    table = prism.run(tmp_path, "templates", "validate", env={"COLUMNS": "400"})
    assert table.returncode == 1
    assert "broken.yml:3" in table.stdout


def test_volumes_mounted_at_boot_and_storage_in_the_workstations_zone(
    prism: Any, sandbox: Path
) -> None:
    assert prism.run(sandbox, "launch", "ubuntu-server", "box").returncode == 0
    created = prism.json(sandbox, "volume", "create", "shared")
    assert created["volume"]["file_system_id"].startswith("fs-")
    mounted = prism.json(sandbox, "volume", "mount", "shared", "box")
    assert mounted["mount"]["mount_point"] == "/mnt/shared"
    assert mounted["volume"]["mounted_on"] == ["box"]
    busy = prism.run(sandbox, "volume", "delete", "shared")
    assert busy.returncode == 4
    assert "PRISM_VOLUME_IN_USE" in busy.stderr
    assert prism.run(sandbox, "volume", "unmount", "shared", "box").returncode == 0
    at_boot = prism.json(sandbox, "launch", "ubuntu-server", "nfs", "--volume", "shared")
    assert at_boot["workstation"]["state"] == "running"
    [volume] = prism.json(sandbox, "volume", "list")["volumes"]
    assert volume["mounted_on"] == ["nfs"]
    assert prism.run(sandbox, "delete", "nfs", "--yes").returncode == 0
    assert prism.run(sandbox, "volume", "delete", "shared", "--force", "--yes").returncode == 0

    box = prism.json(sandbox, "info", "box")["workstation"]
    disk = prism.json(
        sandbox, "storage", "create", "scratch", "--size-gb", "50", "--workstation", "box"
    )["disk"]
    assert (disk["size_gb"], disk["availability_zone"]) == (50, box["availability_zone"])
    attached = prism.json(sandbox, "storage", "attach", "scratch", "box")["disk"]
    assert attached["attached_to"] == box["instance_id"]
    assert prism.run(sandbox, "storage", "delete", "scratch").returncode == 4
    assert prism.run(sandbox, "storage", "detach", "scratch").returncode == 0
    declined = prism.run(sandbox, "storage", "delete", "scratch", input="n\n")
    assert declined.returncode == 1
    assert "Delete storage scratch (50 GiB gp3) and its data?" in declined.stderr
    assert "PRISM_DELETE_DECLINED" in declined.stderr
    assert prism.run(sandbox, "storage", "delete", "scratch", input="y\n").returncode == 0


def test_connect_says_plainly_that_the_sandbox_has_nothing_to_connect_to(
    prism: Any, sandbox: Path
) -> None:
    assert prism.run(sandbox, "launch", "ubuntu-server", "shell", "--no-wait").returncode == 0
    result = prism.run(sandbox, "connect", "shell")
    assert result.returncode == 1
    assert "nothing to" in result.stderr
    assert "connect to" in result.stderr
