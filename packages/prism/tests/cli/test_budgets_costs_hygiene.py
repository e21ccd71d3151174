"""Budget actions, cost of everything that stores data, storage advice and bad input, through
the CLI in the sandbox, against prismd served in this process so the test owns its clock (as in
test_nothing_runs_forgotten). The workstations' agents are stood in for by PutMetricData calls
from the test, to the emulator's CloudWatch, under the dimensions the agent publishes with.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest


def test_budget_thresholds_hibernate_then_stop_what_runs(clocked: Any) -> None:
    clocked.json(
        "project",
        "create",
        "halt",
        "--budget",
        "5",
        "--period",
        "total",
        "--alert",
        "50:hibernate_all",
        "--alert",
        "90:stop_all",
    )
    launched = clocked.run("launch", "ubuntu-server", "h1", "--project", "halt", "--hibernation")
    assert launched.returncode == 0
    assert clocked.run("launch", "ubuntu-server", "h2", "--project", "halt").returncode == 0

    clocked.clock.forward(hours=30)  # two t3.medium with their disks: $2.63 of $5
    clocked.engine.run_checks()
    h1 = clocked.json("info", "h1")["workstation"]
    h2 = clocked.json("info", "h2")["workstation"]
    assert (h1["state"], h2["state"]) == ("hibernated", "stopped")
    assert h1["state_reason"]["text"] == "hibernated by project halt's budget (53% spent)"
    assert h2["state_reason"]["text"] == "stopped by project halt's budget (53% spent)"
    assert h1["state_reason"]["by"] == "budget"
    [alert] = clocked.json("project", "info", "halt")["project"]["alerts"]
    assert alert["outcome"] == "hibernate_all: hibernated h1, stopped h2"

    assert clocked.run("start", "h1").returncode == 0
    clocked.engine.run_checks()  # 50% was acted on once this period: h1 keeps running
    assert clocked.json("info", "h1")["workstation"]["state"] == "running"
    clocked.clock.forward(hours=45)
    clocked.engine.run_checks()
    assert clocked.json("info", "h1")["workstation"]["state"] == "stopped"
    alerts = clocked.json("project", "info", "halt")["project"]["alerts"]
    assert [(a["percent"], a["outcome"]) for a in alerts] == [
        (90.0, "stop_all: stopped h1"),
        (50.0, "hibernate_all: hibernated h1, stopped h2"),
    ]
    for name in ("h1", "h2"):
        assert clocked.run("delete", name, "--yes").returncode == 0


def test_cost_counts_disks_volumes_snapshots_and_spot(clocked: Any) -> None:
    clocked.json("project", "create", "store")
    assert clocked.run("launch", "ubuntu-server", "s1", "--project", "store").returncode == 0
    spot = clocked.json("launch", "ubuntu-server", "spot1", "--project", "store", "--spot")
    clocked.json("storage", "create", "d1", "--size", "10G", "--project", "store")
    volume = clocked.json("volume", "create", "v1", "--project", "store")["volume"]
    clocked.json("snapshot", "create", "s1", "--name", "s1-snap")

    # Everything carries the project on AWS.
    ec2 = clocked.client("ec2")
    [disk] = ec2.describe_volumes(Filters=[{"Name": "tag:prism:storage", "Values": ["d1"]}])[
        "Volumes"
    ]
    assert {"Key": "prism:project", "Value": "store"} in disk["Tags"]
    efs = clocked.client("efs").describe_file_systems(FileSystemId=volume["file_system_id"])
    assert {"Key": "prism:project", "Value": "store"} in efs["FileSystems"][0]["Tags"]
    snaps = ec2.describe_snapshots(Filters=[{"Name": "tag:prism:snapshot", "Values": ["s1-snap"]}])
    assert {"Key": "prism:project", "Value": "store"} in snaps["Snapshots"][0]["Tags"]
    assert spot["workstation"]["spot"] is True

    clocked.clock.forward(hours=730)  # a month
    assert clocked.run("stop", "s1").returncode == 0
    clocked.engine.run_checks()  # the daemon's timer, which sees it stopped
    clocked.clock.forward(hours=24)
    report = clocked.json("cost", "--project", "store", "--by", "kind")
    lines = {c["name"]: c for c in report["costs"]}
    assert {"s1", "spot1", "d1", "v1", "s1-snap"} <= set(lines)

    # Disks and snapshots count from when AWS made them (real time, behind the moved clock).
    def hours_since(made: datetime) -> float:
        return (clocked.clock.now() - made).total_seconds() / 3600

    assert lines["d1"]["kind"] == "disk"  # attached or not
    disk_hours = hours_since(disk["CreateTime"])
    assert lines["d1"]["total_usd"] == pytest.approx(10 * 0.08 * disk_hours / 730, rel=0.01)
    assert lines["s1-snap"]["kind"] == "snapshot"
    snap_hours = hours_since(snaps["Snapshots"][0]["StartTime"])
    assert lines["s1-snap"]["total_usd"] == pytest.approx(20 * 0.05 * snap_hours / 730, rel=0.01)
    assert lines["v1"]["kind"] == "volume"  # by stored size: the emulator's few KiB
    assert 0 <= lines["v1"]["total_usd"] < 0.01
    ws = lines["s1"]
    assert ws["running_hours"] == pytest.approx(730, abs=0.1)
    assert ws["stopped_hours"] == pytest.approx(24, abs=0.1)
    assert ws["compute_usd"] == pytest.approx(0.0416 * 730, rel=0.001)
    assert ws["storage_usd"] == pytest.approx(20 * 0.08 * 754 / 730, rel=0.01)
    spot_line = lines["spot1"]
    assert spot_line["spot"] is True
    assert spot_line["hourly_usd"] == pytest.approx(0.0416 * 0.35, abs=0.0001)
    assert spot_line["price_source"] == "spot-estimate"
    kinds = {g["key"] for g in report["groups"]}
    assert kinds == {"compute", "ebs", "efs", "snapshot"}
    assert sum(g["total_usd"] for g in report["groups"]) == pytest.approx(
        report["total_usd"], rel=0.001
    )
    per_workstation = clocked.json("cost", "--project", "store", "--by", "workstation")
    owners = {g["key"]: g["total_usd"] for g in per_workstation["groups"]}
    # The snapshot of s1 is s1's; the unattached disk and the volume belong to no workstation.
    assert set(owners) == {"s1", "spot1", "(no workstation)"}
    assert owners["s1"] == pytest.approx(ws["total_usd"] + lines["s1-snap"]["total_usd"], rel=0.001)
    assert owners["(no workstation)"] == pytest.approx(
        lines["d1"]["total_usd"] + lines["v1"]["total_usd"], rel=0.001
    )
    table = clocked.run("cost", "--project", "store").stdout
    assert "spot" in table and "s1-snap" in table
    for name in ("s1", "spot1"):
        assert clocked.run("delete", name, "--yes").returncode == 0
    assert clocked.run("snapshot", "delete", "s1-snap", "--yes").returncode == 0
    assert clocked.run("storage", "delete", "d1", "--yes").returncode == 0
    assert clocked.run("volume", "delete", "v1", "--yes").returncode == 0


def _agent_samples(clocked: Any, ws: dict[str, Any], metric: str, values: list[float]) -> None:
    """What r1's agent would have published: one value an hour, the newest an hour ago."""
    dimensions = [
        {"Name": "Workstation", "Value": ws["name"]},
        {"Name": "Project", "Value": ws["project"] or "-"},
        {"Name": "Template", "Value": ws["template"]},
    ]
    now = clocked.clock.now()
    clocked.client("cloudwatch").put_metric_data(
        Namespace="Prism/Workstations",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": dimensions,
                "Timestamp": now - timedelta(hours=len(values) - i),
                "Value": value,
                "Unit": "Percent",
            }
            for i, value in enumerate(values)
        ],
    )


def test_storage_report_recommends_with_the_saving_each_brings(clocked: Any) -> None:
    r1 = clocked.json("launch", "rstudio-server", "r1", "--size", "M")["workstation"]
    assert (r1["root_volume_gb"], r1["instance_type"]) == (40, "r5.2xlarge")
    clocked.json("storage", "create", "old", "--size", "100G", "--type", "gp2")
    clocked.clock.forward(hours=8)  # r1 runs, its agent measuring
    _agent_samples(clocked, r1, "CPULoadPercent", [4.0, 6.0, 5.0, 3.0, 8.0, 5.0, 4.0, 6.0])
    _agent_samples(clocked, r1, "RootDiskUsedPercent", [10.0, 12.0])

    report = clocked.json("storage", "report")["report"]
    advice = {(r["kind"], r["resource"]): r for r in report["recommendations"]}
    gp3 = advice[("gp2-to-gp3", "old")]
    assert gp3["monthly_saving_usd"] == pytest.approx(2.0)  # 100 GiB x ($0.10 - $0.08)
    assert "--volume-type gp3" in gp3["command"]
    assert advice[("unattached-disk", "old")]["monthly_saving_usd"] == pytest.approx(10.0)
    smaller = advice[("rightsize", "r1")]
    assert smaller["detail"] == (
        "r5.2xlarge: CPU averaged 5% (hourly peak 8%) over 8 measured hours; r5.xlarge has half"
        " the CPUs and memory"
    )
    # Eight hours running in the last week, as many a month: (0.504 - 0.252) x 8 x 730 / 168.
    assert smaller["monthly_saving_usd"] == pytest.approx(0.252 * 8 * 730 / 168, rel=0.01)
    root = advice[("oversized-root", "r1")]
    assert "holds 4.8 GiB at most; 10 GiB leaves room to double" in root["detail"]
    assert root["monthly_saving_usd"] == pytest.approx(30 * 0.08)
    assert report["total_saving_usd"] == pytest.approx(
        sum(r["monthly_saving_usd"] for r in report["recommendations"]), abs=0.01
    )
    shown = clocked.run("storage", "report").stdout
    assert "gp2-to-gp3" in shown and "rightsize" in shown
    assert clocked.run("storage", "delete", "old", "--yes").returncode == 0
    assert clocked.run("delete", "r1", "--yes").returncode == 0


def test_bad_input_says_what_and_changes_nothing(clocked: Any) -> None:
    code, problem = clocked.problem(
        "project", "create", "bad", "--budget", "10", "--alert", "80:stop_all:forecast"
    )
    assert (code, problem["code"]) == (2, "PRISM_BUDGET_ALERT_INVALID")
    assert "a forecast threshold only notifies" in problem["detail"]
    code, problem = clocked.problem(
        "project", "create", "bad", "--budget", "10", "--alert", "80:notify:someday"
    )
    assert (code, problem["code"]) == (2, "PRISM_BUDGET_ALERT_INVALID")
    code, problem = clocked.problem(
        "project", "create", "bad", "--budget", "10", "--ends", "2030-01-01"
    )
    assert (code, problem["code"]) == (2, "PRISM_BUDGET_ENDS_MONTHLY")
    assert "bad" not in [p["name"] for p in clocked.json("project", "list")["projects"]]

    code, problem = clocked.problem("launch", "ubuntu-server", "x1", "--project", "nowhere")
    assert (code, problem["code"]) == (3, "PRISM_PROJECT_NOT_FOUND")
    assert "x1" not in [w["name"] for w in clocked.json("list")["workstations"]]

    assert clocked.run("launch", "ubuntu-server", "quiet", "--no-idle").returncode == 0
    assert clocked.run("stop", "quiet").returncode == 0
    code, problem = clocked.problem("idle", "simulate", "quiet", "--idle", "40m")
    assert (code, problem["code"]) == (4, "PRISM_WORKSTATION_WRONG_STATE")
    code, problem = clocked.problem("idle", "simulate", "quiet")
    assert (code, problem["code"]) == (2, "PRISM_IDLE_SIMULATE_NOTHING")
    code, problem = clocked.problem("idle", "apply", "no-such-policy", "quiet")
    assert code == 3, problem
    code, problem = clocked.problem("snapshot", "restore", "no-such-snap", "--as", "x2")
    assert (code, problem["code"]) == (3, "PRISM_SNAPSHOT_NOT_FOUND")
    assert clocked.run("delete", "quiet", "--yes").returncode == 0


def test_volume_backups_on_from_creation_and_what_the_emulator_lacks(clocked: Any) -> None:
    made = clocked.json("volume", "create", "kept", "--backup")["volume"]
    assert made["backup"] == "ENABLED"
    policy = clocked.client("efs").describe_backup_policy(FileSystemId=made["file_system_id"])
    assert policy["BackupPolicy"]["Status"] == "ENABLED"
    listed = clocked.run("volume", "list").stdout
    row = next(line for line in listed.splitlines() if "kept" in line)
    assert "enabled" in row
    code, problem = clocked.problem("volume", "backup", "kept", "--off")
    assert (code, problem["code"]) == (6, "PRISM_BACKUP_UNAVAILABLE")
    assert (
        "the AWS emulator prism's sandbox runs (moto) does not implement it" in (problem["detail"])
    )
    volumes = {v["name"]: v for v in clocked.json("volume", "list")["volumes"]}
    assert volumes["kept"]["backup"] == "ENABLED"  # unchanged
    assert clocked.run("volume", "delete", "kept", "--yes").returncode == 0


def test_a_monthly_budget_runs_by_calendar_month_with_the_default_thresholds(clocked: Any) -> None:
    month = clocked.json("project", "create", "mon", "--budget", "100")["project"]
    assert [(t["percent"], t["action"], t["on"]) for t in month["budget"]["thresholds"]] == [
        (50.0, "notify", "spent"),
        (80.0, "notify", "spent"),
        (100.0, "prevent_launch", "spent"),
    ]
    now = clocked.clock.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    status = month["status"]
    assert status["period"] == f"{now:%Y-%m}"
    assert datetime.fromisoformat(status["period_start"]) == start
    assert datetime.fromisoformat(status["period_end"]) == following
    assert (status["spent_usd"], status["launches_allowed"]) == (0.0, True)
    assert clocked.json("project", "delete", "mon")["project"]["name"] == "mon"
