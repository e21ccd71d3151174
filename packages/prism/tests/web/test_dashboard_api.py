"""The dashboard's routes over HTTP against a sandbox prismd: each reply parsed by the model the
route declares, spend that adds up to what `prism cost` says, CloudWatch metrics as put into the
emulator, a member kept to their projects, and `prism dashboard` on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from prism.cost.model import CostReport
from prism.daemon import dashboard_pages
from prism.daemon.client import DaemonClient
from prism.daemon.dashboard_api import SpendResult
from prism.daemon.dashboard_results import DashboardResult, ViewerResult
from prism.daemon.follow import follow_launch
from prism.daemon.metrics_api import MetricsResult
from prism.templates.offered import TemplateSummaryList
from prism.workstations.results import LaunchResult


@pytest.fixture(scope="module")
def client(clocked_prismd: Any) -> DaemonClient:
    return DaemonClient(clocked_prismd.state)


@pytest.fixture(scope="module")
def http(client: DaemonClient) -> Iterator[httpx.Client]:
    url = client.ensure_running().url
    headers = {"Authorization": f"Bearer {client._token()}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as session:
        yield session


@pytest.fixture(scope="module")
def measured(client: DaemonClient, clocked_prismd: Any) -> str:
    """A workstation running for two hours of the test's clock."""
    body = {"template": "ubuntu-server", "name": "measured", "wait": True}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, "measured", on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)
    clocked_prismd.clock.forward(hours=2)
    return "measured"


def test_the_viewer_of_prismds_own_token_is_its_operator(http: httpx.Client) -> None:
    viewer = ViewerResult.model_validate(http.get("/api/v1/dashboard/viewer").json()).viewer
    assert viewer.operator is True
    assert viewer.roles == {}


def test_templates_come_with_their_parameters(http: httpx.Client) -> None:
    found = TemplateSummaryList.model_validate(http.get("/api/v1/dashboard/templates").json())
    by_slug = {t.slug: t for t in found.templates}
    assert "ubuntu-server" in by_slug
    with_parameters = [t for t in found.templates if t.parameters]
    assert with_parameters, "a bundled template has parameters"
    assert all(p.name and p.label for t in with_parameters for p in t.parameters)


def test_spend_over_time_grows_and_ends_at_what_cost_reports(
    http: httpx.Client, measured: str
) -> None:
    spend = SpendResult.model_validate(http.get("/api/v1/dashboard/spend?hours=24").json()).spend
    series = {(s.kind, s.key): s.usd for s in spend.series}
    line = series[("workstation", measured)]
    assert len(line) == len(spend.times)
    assert line == sorted(line) and line[0] == 0 and line[-1] > 0
    assert series[("project", "(none)")][-1] == pytest.approx(line[-1], abs=1e-3)
    report = CostReport.model_validate(http.get("/api/v1/cost").json())
    assert spend.total_usd == pytest.approx(report.total_usd, abs=1e-3)
    assert spend.budgets == []


def test_a_budget_comes_with_its_status_and_projection(
    http: httpx.Client, client: DaemonClient, clocked_prismd: Any
) -> None:
    http.post("/api/v1/projects", json={"name": "grant"}).raise_for_status()
    budget = {"budget": {"amount_usd": 100.0, "thresholds": [{"percent": 80}]}}
    http.put("/api/v1/projects/grant/budget", json=budget).raise_for_status()
    body = {"template": "ubuntu-server", "name": "granted", "wait": True, "project": "grant"}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, "granted", on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)
    clocked_prismd.clock.forward(hours=1)
    spend = SpendResult.model_validate(http.get("/api/v1/dashboard/spend").json()).spend
    (line,) = spend.budgets
    assert line.project == "grant"
    assert line.thresholds[0].percent == 80
    status = line.status
    assert status.amount_usd == 100.0
    assert status.burn_usd_per_hour > 0
    assert status.projected_usd is not None and status.projected_usd > status.spent_usd > 0


def test_metrics_are_what_cloudwatch_holds_for_the_instance(
    http: httpx.Client, measured: str, clocked_prismd: Any
) -> None:
    engine = clocked_prismd.engine
    ws = engine.store.require(measured)
    cloudwatch = engine.session_for(ws).client("cloudwatch")
    dims = [{"Name": "InstanceId", "Value": ws.instance_id}]
    now = engine.clock.now()
    cloudwatch.put_metric_data(
        Namespace="AWS/EC2",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": dims,
                "Timestamp": now - timedelta(minutes=m),
                "Value": float(m),
            }
            for m in (40, 20)
        ],
    )
    other = [{"Name": "InstanceId", "Value": "i-someone-else"}]
    cloudwatch.put_metric_data(
        Namespace="AWS/EC2",
        MetricData=[{"MetricName": "CPUUtilization", "Dimensions": other, "Value": 99.0}],
    )
    reply = http.get(f"/api/v1/workstations/{measured}/metrics?hours=1&period=60")
    metrics = MetricsResult.model_validate(reply.json()).metrics
    series = {s.metric: s for s in metrics.series}
    assert set(series) == {"cpu", "memory", "network_in", "network_out"}
    assert [p.value for p in series["cpu"].points] == [40.0, 20.0]
    assert series["cpu"].points[0].at < series["cpu"].points[1].at
    assert [t.value for t in series["cpu"].thresholds] == [10.0, 90.0]
    assert series["memory"].points == [] and series["memory"].namespace == "CWAgent"
    assert metrics.instance_id == ws.instance_id and metrics.notes == []


def test_metrics_of_an_unknown_workstation_are_a_404(http: httpx.Client) -> None:
    reply = http.get("/api/v1/workstations/nobody/metrics")
    assert reply.status_code == 404
    assert reply.json()["code"] == "PRISM_WORKSTATION_NOT_FOUND"


def test_a_member_sees_spend_and_events_of_their_projects_only(
    http: httpx.Client, client: DaemonClient, measured: str
) -> None:
    http.post("/api/v1/users", json={"name": "mo"}).raise_for_status()
    invite = {"user": "mo", "project": "grant", "role": "viewer"}
    command = http.post("/api/v1/team/invite", json=invite).raise_for_status().json()
    ticket = command["invitation"]["join_command"].split("--ticket ")[1]
    url = str(http.base_url).rstrip("/")
    token = httpx.post(f"{url}/api/v1/team/join", json={"ticket": ticket}).json()["token"]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as mo:
        viewer = ViewerResult.model_validate(mo.get("/api/v1/dashboard/viewer").json()).viewer
        assert (viewer.user, viewer.operator, viewer.roles) == ("mo", False, {"grant": "viewer"})
        spend = SpendResult.model_validate(mo.get("/api/v1/dashboard/spend").json()).spend
        keys = {s.key for s in spend.series}
        assert "granted" in keys and measured not in keys
        assert [b.project for b in spend.budgets] == ["grant"]
        login = mo.post("/api/v1/dashboard/login").json()["path"]
        assert login.startswith("/dashboard/login?ticket=")
        refused = mo.post(f"/api/v1/workstations/{measured}/stop")
        assert refused.status_code == 403


def test_the_page_and_its_routes_refuse_other_origins(http: httpx.Client) -> None:
    foreign = {"Origin": "https://evil.example"}
    for method, path in (
        ("GET", "/dashboard/"),
        ("GET", "/api/v1/dashboard/spend"),
        ("POST", "/api/v1/dashboard/login"),
        ("POST", "/api/v1/workstations/measured/stop"),
    ):
        reply = http.request(method, path, headers=foreign)
        assert reply.status_code == 403, (method, path, reply.text)
    assert http.get("/dashboard/", headers={"Origin": str(http.base_url).rstrip("/")}).is_success


def test_prism_dashboard_prints_a_login_url_that_works_once(
    clocked_prismd: Any, http: httpx.Client
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "prism", "dashboard", "--no-open", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PRISM_STATE_DIR": str(clocked_prismd.state)},
    )
    assert done.returncode == 0, done.stderr
    link = DashboardResult.model_validate(json.loads(done.stdout)).dashboard
    assert link.opened is False
    assert link.url.startswith(str(http.base_url).rstrip("/") + "/login?ticket=")
    first = httpx.get(link.url)
    assert first.status_code == 303 and first.headers["location"] == "/dashboard/"
    assert "prismd_session" in first.headers["set-cookie"]
    assert httpx.get(link.url).status_code == 401

    shown = subprocess.run(
        [sys.executable, "-m", "prism", "dashboard", "--no-open"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PRISM_STATE_DIR": str(clocked_prismd.state), "COLUMNS": "40"},
    )
    url = shown.stdout.splitlines()[1]  # whole on its line in a narrow terminal: copied unbroken
    assert url.startswith("http://") and url.endswith("&next=/dashboard/")
    assert httpx.get(url).status_code == 303


def test_prism_dashboard_says_when_the_page_is_not_built(
    clocked_prismd: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(dashboard_pages, "STATIC", tmp_path / "never-built")
    done = subprocess.run(
        [sys.executable, "-m", "prism", "dashboard", "--no-open", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PRISM_STATE_DIR": str(clocked_prismd.state)},
    )
    assert done.returncode == 6
    problem = json.loads(done.stdout)
    assert problem["code"] == "PRISM_DASHBOARD_NOT_BUILT"
    assert "make ui" in problem["suggestions"][0]
