"""The dashboard in Debian's headless Chromium (Playwright) against a real sandbox prismd (AWS
played by moto) on a clock the test moves: a launch from the page with its progress, a state
change made through the API appearing without a reload, a budget alert, resource use from
CloudWatch with its thresholds, and a viewer's refused action.

The tests follow each other through one simulated day (one prismd per module).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from prism.daemon.client import DaemonClient
from prism.daemon.dashboard_pages import STATIC
from prism.daemon.follow import follow_launch
from prism.workstations.results import LaunchResult, WorkstationResult

WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)
"""How long a page may take to show what it should at most (a bound on a hang, not a timing)."""


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    if not (STATIC / "index.html").is_file():
        pytest.fail(
            f"The dashboard is not built ({STATIC}): run make ui (Node.js 20+ and npm).",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def quick_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRISM_EVENTS_SETTLE_SECONDS", "0.2")


@pytest.fixture(scope="module")
def client(clocked_prismd: Any) -> DaemonClient:
    return DaemonClient(clocked_prismd.state)


@pytest.fixture(scope="module")
def url(client: DaemonClient) -> str:
    return client.ensure_running().url


@pytest.fixture(scope="module")
def operator(client: DaemonClient, url: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {client._token()}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        yield http


# Records each desktop notification the page shows (the browser's own, permission granted).
DESKTOP = """
window.__desktop = [];
const Shown = window.Notification;
window.Notification = class extends Shown {
  constructor(title, options) {
    super(title, options);
    window.__desktop.push({ title, body: options && options.body });
  }
};
"""


def logged_in(
    browser: Browser, url: str, http: httpx.Client, view: str = "", *, desktop: bool = False
) -> Page:
    """A new browser, logged in through the one-time path `prism dashboard` prints."""
    path = http.post("/api/v1/dashboard/login").raise_for_status().json()["path"]
    context: BrowserContext = browser.new_context()
    if desktop:
        context.grant_permissions(["notifications"], origin=url)
        context.add_init_script(DESKTOP)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{url}{path}")
    expect(page.get_by_role("navigation")).to_be_visible()
    if view:
        page.get_by_role("navigation").get_by_role("link", name=view).click()
    return page


def launch(client: DaemonClient, name: str, project: str | None = None) -> None:
    body = {"template": "ubuntu-server", "name": name, "wait": True, "project": project}
    client.call("POST", "/api/v1/workstations", LaunchResult, body=body)
    follow_launch(client, name, on_progress=lambda _u: None, on_reconnect=lambda _r, _n: None)


def test_the_page_and_its_login_need_the_token(url: str) -> None:
    assert httpx.get(f"{url}/dashboard/").status_code == 401
    assert httpx.get(f"{url}/dashboard/login?ticket=forged").status_code == 401
    assert httpx.post(f"{url}/api/v1/dashboard/login").status_code == 401


def test_a_login_path_works_once(chromium: Browser, url: str, operator: httpx.Client) -> None:
    path = operator.post("/api/v1/dashboard/login").json()["path"]
    page = chromium.new_page()
    page.goto(f"{url}{path}")
    expect(page.get_by_role("link", name="Workstations")).to_be_visible()
    again = httpx.get(f"{url}{path}")
    assert again.status_code == 401
    assert again.json()["code"] == "GROUNDWORK_LOGIN_TICKET_INVALID"
    page.context.close()


def test_a_launch_from_the_page_shows_its_progress_to_the_end(
    chromium: Browser, url: str, operator: httpx.Client
) -> None:
    page = logged_in(chromium, url, operator, "Launch")
    expect(page.get_by_label("Template")).to_contain_text("Ubuntu Server")
    page.get_by_label("Template").select_option("python-ml-workstation")
    expect(page.get_by_label("Python version")).to_have_value("3.11")  # its default
    page.get_by_label("Python version").select_option("3.12")
    page.get_by_label("Architecture").select_option("arm64")
    page.get_by_label("Name").fill("from-page")
    page.get_by_role("button", name="Launch").click()
    launch_box = page.get_by_role("region", name="Launch of from-page")
    expect(launch_box.get_by_label("Launch progress")).to_be_visible()
    expect(launch_box.locator(".stages li").first).to_be_visible()
    expect(launch_box.get_by_role("status")).to_contain_text("from-page is running")
    expect(launch_box.get_by_label("Launch progress")).to_have_attribute("value", "100")
    expect(launch_box.locator(".stages li.done")).not_to_have_count(0)
    notes = page.get_by_role("complementary", name="Notifications")
    expect(notes).to_contain_text("launch finished")
    page.get_by_role("navigation").get_by_role("link", name="Workstations").click()
    row = page.get_by_test_id("ws-from-page")
    expect(row).to_have_attribute("data-state", "running")
    expect(row).to_contain_text("Python ML")
    launched = operator.get("/api/v1/workstations/from-page").json()["workstation"]
    assert launched["params"]["python_version"] == "3.12"
    assert (launched["architecture"], launched["instance_type"]) == ("arm64", "t4g.medium")
    page.context.close()


def test_a_stop_through_the_api_appears_live_without_a_reload(
    chromium: Browser, url: str, operator: httpx.Client, client: DaemonClient
) -> None:
    page = logged_in(chromium, url, operator)
    row = page.get_by_test_id("ws-from-page")
    expect(row).to_have_attribute("data-state", "running")
    page.evaluate("window.__same_page = true")
    client.call("POST", "/api/v1/workstations/from-page/stop", WorkstationResult)
    expect(row).to_have_attribute("data-state", "stopped")
    expect(row.get_by_role("button", name="Start")).to_be_visible()
    assert page.evaluate("window.__same_page") is True  # never reloaded
    page.context.close()


def test_actions_from_the_page_and_delete_after_confirming(
    chromium: Browser, url: str, operator: httpx.Client, client: DaemonClient
) -> None:
    page = logged_in(chromium, url, operator)
    row = page.get_by_test_id("ws-from-page")
    row.get_by_role("button", name="Start").click()
    expect(row).to_have_attribute("data-state", "running")
    row.get_by_role("button", name="Connect").click()
    expect(page.get_by_label("Connect to from-page")).to_contain_text("prism connect from-page")
    row.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete from-page?")
    dialog.get_by_role("button", name="Cancel").click()
    kept = client.call("GET", "/api/v1/workstations/from-page", WorkstationResult)
    assert kept.workstation.state == "running"
    row.get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(row).to_have_count(0)
    gone = operator.get("/api/v1/workstations/from-page")
    assert gone.status_code == 404
    assert gone.json()["code"] == "PRISM_WORKSTATION_NOT_FOUND"
    page.context.close()


def test_a_budget_alert_appears_in_the_page_and_the_costs_view(
    chromium: Browser, url: str, operator: httpx.Client, client: DaemonClient, clocked_prismd: Any
) -> None:
    operator.post("/api/v1/projects", json={"name": "lab"}).raise_for_status()
    budget = {"budget": {"amount_usd": 0.05, "period": "total", "thresholds": [{"percent": 50}]}}
    operator.put("/api/v1/projects/lab/budget", json=budget).raise_for_status()
    launch(client, "spender", project="lab")
    page = logged_in(chromium, url, operator, desktop=True)
    expect(page.get_by_test_id("ws-spender")).to_have_attribute("data-state", "running")
    clocked_prismd.clock.forward(hours=10)  # any size of it spends more than $0.025 by then
    clocked_prismd.engine.check_budgets()
    notes = page.get_by_role("complementary", name="Notifications")
    expect(notes.locator(".note.budget-alert")).to_contain_text("lab")
    shown = page.evaluate("window.__desktop")
    assert [n["title"] for n in shown] == ["prism: budget alert"], shown
    assert "lab" in shown[0]["body"]
    page.get_by_role("navigation").get_by_role("link", name="Costs").click()
    alerts = page.get_by_role("region", name="Budget alerts")
    expect(alerts).to_contain_text("crossed 50%")
    expect(page.get_by_role("table", name="Budgets")).to_contain_text("lab")
    budget_chart = page.get_by_role("figure", name="Budget of lab")
    expect(budget_chart.locator("canvas")).to_be_visible()
    assert int(budget_chart.get_attribute("data-points") or 0) > 0
    expect(page.get_by_role("figure", name="Spend per workstation")).to_be_visible()
    page.context.close()


def test_resource_use_shows_cloudwatch_metrics_with_thresholds(
    chromium: Browser, url: str, operator: httpx.Client, clocked_prismd: Any
) -> None:
    engine = clocked_prismd.engine
    ws = engine.store.require("spender")
    now = engine.clock.now()
    cloudwatch = engine.session_for(ws).client("cloudwatch")
    for minutes, cpu, memory in ((50, 3.0, 40.0), (30, 55.0, 60.0), (10, 95.0, 93.0)):
        dims = [{"Name": "InstanceId", "Value": ws.instance_id}]
        at = now - timedelta(minutes=minutes)
        cloudwatch.put_metric_data(
            Namespace="AWS/EC2",
            MetricData=[
                {"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": at, "Value": cpu},
                {"MetricName": "NetworkIn", "Dimensions": dims, "Timestamp": at, "Value": 2e6},
            ],
        )
        cloudwatch.put_metric_data(
            Namespace="CWAgent",
            MetricData=[
                {
                    "MetricName": "mem_used_percent",
                    "Dimensions": dims,
                    "Timestamp": at,
                    "Value": memory,
                }
            ],
        )
    page = logged_in(chromium, url, operator, "Resource use")
    page.get_by_label("Workstation").select_option("spender")
    cpu_box = page.locator('[data-metric="cpu"]')
    expect(cpu_box).to_contain_text("3 points, last 95.0 %")
    expect(cpu_box).to_contain_text("idle below 10%")
    expect(cpu_box).to_contain_text("busy above 90%")
    expect(cpu_box.locator("canvas")).to_be_visible()
    expect(page.locator('[data-metric="memory"]')).to_contain_text("short of memory above 90%")
    expect(page.locator('[data-metric="memory"]')).to_contain_text("last 93.0 %")
    expect(page.locator('[data-metric="network_in"]')).to_contain_text("3 points")
    expect(page.locator('[data-metric="network_out"]')).to_contain_text("0 points")
    page.context.close()


def test_a_viewer_sees_their_project_and_is_refused_an_action(
    chromium: Browser, url: str, operator: httpx.Client, client: DaemonClient
) -> None:
    operator.post("/api/v1/users", json={"name": "vera"}).raise_for_status()
    invite = {"user": "vera", "project": "lab", "role": "viewer"}
    command = operator.post("/api/v1/team/invite", json=invite).raise_for_status().json()
    ticket = command["invitation"]["join_command"].split("--ticket ")[1]
    token = httpx.post(f"{url}/api/v1/team/join", json={"ticket": ticket}).json()["token"]
    launch(client, "outside")  # the operator's own, in no project: not the viewer's to see
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as vera:
        page = logged_in(chromium, url, vera)
    expect(page.get_by_test_id("viewer")).to_have_text("vera · viewer of lab")
    row = page.get_by_test_id("ws-spender")
    expect(row).to_have_attribute("data-state", "running")
    expect(page.get_by_test_id("ws-outside")).to_have_count(0)
    expect(row.locator("td.n").nth(2)).to_contain_text("$")  # its cost per hour, of their project
    row.get_by_role("button", name="Stop").click()
    refusal = page.get_by_role("alert").filter(has_text="Not allowed")
    expect(refusal).to_contain_text("PRISM_ACCESS_DENIED")
    expect(refusal).to_contain_text("vera is a viewer of lab")
    expect(refusal).to_contain_text("member or above")
    state = client.call("GET", "/api/v1/workstations/spender", WorkstationResult)
    assert state.workstation.state == "running"
    page.context.close()
