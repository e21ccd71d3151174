"""The original-shaped collection, pointed at with PRISM_TEMPLATE_PATH, launches in the sandbox:
every template, with what its connection type, images and fields mean on the workstation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parents[1] / "fixtures" / "original-corpus"


@pytest.fixture
def state(prism: Any, tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    prism.stop_daemon(tmp_path, sandbox=True)


def test_every_template_of_the_collection_launches_in_the_sandbox(prism: Any, state: Path) -> None:
    env = {"PRISM_TEMPLATE_PATH": str(CORPUS)}
    listed = prism.json(state, "templates", "list", env=env)["templates"]
    mine = [t for t in listed if t["path"].startswith(str(CORPUS))]
    assert len(mine) == 13
    assert all(t["valid"] for t in mine), [t["error"] for t in mine if not t["valid"]]
    launched = {}
    for number, template in enumerate(sorted(t["slug"] for t in mine)):
        result = prism.run(state, "launch", template, f"ws-{number}", "--output", "json", env=env)
        assert result.returncode == 0, (template, result.stderr)
        launched[template] = json.loads(result.stdout)["workstation"]
        assert launched[template]["state"] == "running", template

    dcv = launched["ubuntu-22-04-desktop"]
    assert (dcv["desktop"], dcv["services"], dcv["connection_type"]) == (
        "dcv",
        {"desktop": 8443},
        "dcv",
    )
    assert 8443 in dcv["ports"]
    assert dcv["idle"]["name"] == "default"
    assert dcv["idle_agent_minutes"] == 5  # its idle_detection's check interval
    assert launched["xfce-desktop"]["services"] == {"desktop": 6080}
    both = launched["ubuntu-datascience"]
    assert set(both["services"]) == {"jupyter", "desktop"}
    assert set(launched["ultimate-workstation"]["services"]) == {
        "jupyterlab",
        "streamlit-dashboard",
        "mlflow-ui",
        "desktop",
    }
    assert "users.researcher.password" in " ".join(launched["ultimate-workstation"]["notes"])
    image = launched["amazon-linux-2023-server"]
    assert (image["login_user"], image["instance_type"]) == ("ec2-user", "t3.medium")
    assert any(
        n.startswith("ami_config: the sandbox has no copy of ami-0c94855ba95b798c7")
        for n in image["notes"]
    )
    assert launched["collaborative-workspace"]["instance_type"] == "m5.xlarge"
    assert launched["python-ml-config"]["service_urls"]["jupyter-lab"] == (
        "http://{local}/jupyter/lab?token=researcher-token"
    )

    shown = prism.run(
        state, "launch", "python-ml-config", "alice-ws", "-p", "user_name=alice", env=env
    )
    assert shown.returncode == 0, shown.stderr
    assert "Web: prism web alice-ws SERVICE, for jupyter-lab" in shown.stdout
    desktop = prism.run(state, "launch", "xfce-desktop", "desk", env=env)
    assert "Desktop (noVNC in the browser): prism web desk desktop" in desktop.stdout
    assert "Note:" not in desktop.stderr
    noted = prism.run(state, "launch", "ubuntu-22-04-desktop", "noted", env=env)
    assert (  # its idle_detection sets idle_threshold_minutes 15, hibernate_threshold_minutes 45
        "Note: idle_detection: idle_threshold_minutes 15 and hibernate_threshold_minutes 45 set"
        " no idle policy here: the workstation's idle policy decides. To follow the template:"
        " prism idle policy create ubuntu-22-04-desktop --idle 45m, then prism idle apply"
        " ubuntu-22-04-desktop --template ubuntu-22-04-desktop" in " ".join(noted.stderr.split())
    )

    refused = prism.run(state, "web", "ws-0", "desktop", "--output", "json", env=env)
    problem = json.loads(refused.stdout)
    assert problem["code"] == "PRISM_SANDBOX_NOTHING_TO_CONNECT"
    dcv_number = sorted(launched).index("ubuntu-22-04-desktop")
    hint = json.loads(
        prism.run(state, "connect", f"ws-{dcv_number}", "--output", "json", env=env).stdout
    )
    assert any("prism web" in s and "desktop" in s for s in hint["suggestions"])


def test_a_bad_parameter_at_launch_names_the_field(prism: Any, state: Path) -> None:
    env = {"PRISM_TEMPLATE_PATH": str(CORPUS)}
    bad = prism.run(
        state, "launch", "python-ml-config", "bad", "-p", "user_name=Bob", "-o", "json", env=env
    )
    assert bad.returncode == 2
    problem = json.loads(bad.stdout)
    assert problem["code"] == "PRISM_PARAM_INVALID"
    assert "^[a-z][a-z0-9_-]{2,31}$" in problem["detail"]
