"""The new user's day from issue 17, through the CLI as a user runs it, in the sandbox.

prismd is the real app (``build``) served on loopback in this process, so the test owns its
clock: the CLI, a subprocess, finds it through the state folder like any prismd it starts. Time
moves when the test moves the clock (minutes of idleness, weeks of spend); nothing sleeps. The
background checks run when the test calls them, as the daemon's timer would.

Launch with the default idle policy stated; idle samples (`prism idle simulate`), the warning,
the notice on the next command, the hibernation and its reason in `info` and `list`; the
activity bump; a project with a budget, its alert and a refused launch with the figures; cost by
day and kind; a snapshot restored as a new workstation; a workstation saved as a template and
launched; an unattached disk cleaned up.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest


def notices(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("prism notice")]


def test_the_default_idle_policy_hibernates_a_forgotten_workstation(clocked: Any) -> None:
    launched = clocked.run("launch", "ubuntu-server", "demo", "--hibernation")
    assert launched.returncode == 0, launched.stderr
    assert (
        "Idle policy default: hibernate after 60 min idle, warning 5 min before."
        " Opt out: prism idle apply none demo" in launched.stdout
    )

    forty = clocked.json("idle", "simulate", "demo", "--idle", "40m")["status"]
    assert (forty["state"], forty["idle_minutes"], forty["warned_at"]) == ("running", 40.0, None)
    assert forty["next"].startswith("hibernate at ")
    assert "(in 20 min), warning at" in forty["next"]

    clocked.clock.forward(minutes=17)  # the agent keeps reporting: 57 minutes idle now
    warned = clocked.json("idle", "simulate", "demo", "--idle", "57m")["status"]
    assert warned["state"] == "running"
    # The samples cover the warning's time (55 min idle): it is given as of then, and the
    # hibernation keeps its whole lead time, at 60 min idle.
    warned_at = datetime.fromisoformat(warned["warned_at"])
    assert abs(warned_at - (clocked.clock.at - timedelta(minutes=2))) < timedelta(minutes=1)
    assert "(warning given)" in warned["next"]
    listed = clocked.run("list")
    assert [n for n in notices(listed) if "demo has been idle 55 min" in n], listed.stderr
    assert notices(clocked.run("list")) == []  # shown once

    clocked.clock.forward(minutes=5)
    clocked.engine.run_checks()  # the daemon's background check, on its timer
    asked = clocked.run("info", "demo", "--output", "json")
    assert [n for n in notices(asked) if "demo was hibernated by idle policy default" in n]
    shown = json.loads(asked.stdout)["workstation"]
    assert shown["state"] == "hibernated"
    assert shown["state_reason"]["text"] == "hibernated by idle policy default after 62 min idle"
    table = clocked.run("list")
    row = next(line for line in table.stdout.splitlines() if line.startswith("│ demo"))
    assert "hibernated" in row
    assert "hibernated by idle policy default after 62 min idle" in table.stdout
    detail = clocked.run("info", "demo").stdout
    assert "hibernated by idle policy default after 62 min idle" in detail


def test_activity_pushes_the_deadline_back(clocked: Any) -> None:
    assert clocked.run("launch", "ubuntu-server", "busy").returncode == 0
    warned = clocked.json("idle", "simulate", "busy", "--idle", "58m")["status"]
    assert warned["warned_at"] is not None
    bumped = clocked.json("idle", "simulate", "busy", "--active")["status"]
    assert (bumped["idle_minutes"], bumped["warned_at"], bumped["action_at"]) == (0.0, None, None)
    assert bumped["next"] == (
        "active; then stop (it cannot hibernate: launched without --hibernation)"
        " after 60 min idle, warning 5 min before"
    )
    [status] = clocked.json("idle", "status", "busy")["statuses"]
    assert status["state"] == "running"
    assert status["last_activity"] is not None


def test_no_idle_opts_out_and_policies_apply_by_project_or_name(clocked: Any) -> None:
    free = clocked.run("launch", "ubuntu-server", "free", "--no-idle")
    assert "No idle policy: it runs until you stop it. (--no-idle)" in free.stdout
    [status] = clocked.json("idle", "status", "free")["statuses"]
    assert status["signal"] == "no-policy"
    created = clocked.json("idle", "policy", "create", "quick", "--idle", "30m", "--warn", "0")
    assert created["policy"]["warn_minutes"] == 0
    applied = clocked.json("idle", "apply", "quick", "free")
    assert applied["workstations"] == ["free"]
    assert clocked.json("info", "free")["workstation"]["idle"]["name"] == "quick"
    busy = clocked.run("idle", "policy", "delete", "quick", "--output", "json")
    assert busy.returncode == 4
    assert json.loads(busy.stdout)["code"] == "PRISM_IDLE_POLICY_IN_USE"
    assert clocked.json("idle", "apply", "none", "free")["assignment"]["policy"] == "none"
    assert clocked.json("idle", "policy", "delete", "quick")["policy"]["name"] == "quick"


def test_a_budget_alerts_and_refuses_a_launch_with_the_figures(clocked: Any) -> None:
    made = clocked.json(
        "project",
        "create",
        "lab",
        "--budget",
        "40",
        "--period",
        "total",
        "--alert",
        "50:notify",
        "--alert",
        "100:prevent_launch",
    )["project"]
    assert made["budget"]["thresholds"] == [
        {"percent": 50.0, "action": "notify", "on": "spent"},
        {"percent": 100.0, "action": "prevent_launch", "on": "spent"},
    ]
    launched = clocked.json("launch", "ubuntu-server", "p1", "--project", "lab")["workstation"]
    assert launched["project"] == "lab"
    ec2 = clocked.engine.session().client("ec2")
    tags = ec2.describe_instances(InstanceIds=[launched["instance_id"]])["Reservations"][0][
        "Instances"
    ][0]["Tags"]
    assert {"Key": "prism:project", "Value": "lab"} in tags

    clocked.clock.forward(hours=480)  # twenty days of t3.medium and its disk
    clocked.engine.run_checks()
    info = clocked.run("project", "info", "lab")
    assert [n for n in notices(info) if "Project lab has spent $21.0" in n], info.stderr
    lab = clocked.json("project", "info", "lab")["project"]
    status = lab["status"]
    assert 52 < status["percent"] < 53
    assert status["burn_usd_per_hour"] == pytest.approx(0.0438, abs=0.0001)
    assert status["runs_out_at"] is not None
    assert status["launches_allowed"] is True
    [alert] = lab["alerts"]
    assert (alert["percent"], alert["action"], alert["outcome"]) == (50.0, "notify", "notified")
    assert lab["workstations"] == ["p1"]

    refused = clocked.run("launch", "ubuntu-server", "p2", "--project", "lab", "--output", "json")
    assert refused.returncode == 4
    problem = json.loads(refused.stdout)
    assert problem["code"] == "PRISM_BUDGET_PREVENTS_LAUNCH"
    assert "Project lab has spent $21.0" in problem["detail"]
    assert "of its $40.00 total budget (53%)" in problem["detail"]
    assert (
        "with what runs now ($0.0438/h) and p2 (t3.medium, $0.0438/h with its disk)"
        in (problem["detail"])
    )
    assert "(720 h) it would reach $84.0" in problem["detail"]
    assert "past its prevent_launch threshold at 100% ($40.00)" in problem["detail"]
    assert "p2" not in [w["name"] for w in clocked.json("list")["workstations"]]

    by_kind = clocked.json("cost", "--project", "lab", "--by", "kind")
    kinds = {g["key"]: g["total_usd"] for g in by_kind["groups"]}
    assert set(kinds) == {"compute", "ebs"}
    assert kinds["compute"] == pytest.approx(0.0416 * 480, rel=0.01)
    assert by_kind["total_usd"] == pytest.approx(status["spent_usd"], rel=0.001)
    by_day = clocked.json("cost", "--project", "lab", "--by", "day")
    assert len(by_day["groups"]) in (20, 21)
    assert sum(g["total_usd"] for g in by_day["groups"]) == pytest.approx(
        by_day["total_usd"], rel=0.001
    )


def test_a_snapshot_restores_as_a_new_workstation(clocked: Any) -> None:
    taken = clocked.json("snapshot", "create", "demo", "--name", "demo-snap", "--note", "base")
    snap = taken["snapshot"]
    assert (snap["workstation"], snap["template"], snap["note"]) == (
        "demo",
        "ubuntu-server",
        "base",
    )
    assert [d["root"] for d in snap["disks"]] == [True]
    assert [s["name"] for s in clocked.json("snapshot", "list")["snapshots"]] == ["demo-snap"]

    restored = clocked.run("snapshot", "restore", "demo-snap", "--as", "demo2", "--output", "json")
    assert restored.returncode == 0, restored.stderr
    ws = json.loads(restored.stdout)["workstation"]
    assert (ws["state"], ws["restored_from"], ws["template"]) == (
        "running",
        "demo-snap",
        "ubuntu-server",
    )
    ec2 = clocked.engine.session().client("ec2")
    images = ec2.describe_images(
        Owners=["self"], Filters=[{"Name": "name", "Values": ["prism-restore-*"]}]
    )
    assert images["Images"] == []  # the restore's image is gone once the workstation runs

    declined = clocked.run("snapshot", "delete", "demo-snap", input="n\n")
    assert declined.returncode == 1
    assert "Delete snapshot demo-snap of demo" in declined.stderr
    assert clocked.json("snapshot", "list")["snapshots"] != []
    deleted = clocked.json("snapshot", "delete", "demo-snap", "--yes")["snapshot"]
    assert deleted["name"] == "demo-snap"
    assert clocked.json("snapshot", "list")["snapshots"] == []


def test_a_workstation_saved_as_a_template_launches(clocked: Any) -> None:
    saved = clocked.json("save", "demo2", "--as-template", "demo-env")
    image = saved["image"]["image_id"]
    assert saved["template"]["slug"] == "demo-env"
    assert saved["template"]["definition"]["ami_config"]["amis"] == {"us-east-1": {"x86_64": image}}
    launched = clocked.json("launch", "demo-env", "d3")["workstation"]
    assert (launched["state"], launched["image_id"]) == ("running", image)


def test_an_unattached_disk_is_cleaned_up_after_confirmation(clocked: Any) -> None:
    scratch_disk = clocked.json("storage", "create", "scratch", "--size", "10G")["disk"]
    assert scratch_disk["attached_to"] is None
    plan = clocked.json("storage", "cleanup", "--dry-run")["cleanup"]
    [scratch] = [c for c in plan["candidates"] if c["name"] == "scratch"]
    assert (scratch["monthly_usd"], scratch["reason"]) == (0.8, "unattached")
    assert plan["dry_run"] is True
    declined = clocked.run("storage", "cleanup", "--only", "scratch", input="n\n")
    assert declined.returncode == 1
    assert "saves $0.80 a month" in declined.stderr
    assert "scratch" in [d["name"] for d in clocked.json("storage", "list")["disks"]]
    done = clocked.json("storage", "cleanup", "--only", "scratch", "--yes")["cleanup"]
    assert done["deleted"] == [scratch["resource_id"]]
    assert "scratch" not in [d["name"] for d in clocked.json("storage", "list")["disks"]]
    costs = clocked.json("cost")["costs"]
    [gone] = [c for c in costs if c["name"] == "scratch"]
    assert gone["deleted"] is True
    report = clocked.json("storage", "report")["report"]
    assert "scratch" not in [i["name"] for i in report["items"]]
    assert {i["kind"] for i in report["items"]} >= {"root"}
