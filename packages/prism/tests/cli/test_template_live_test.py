"""`prism templates test` for real: the rendered setup script of the plain Ubuntu server
template and of a template with services, run in a Debian root made with debootstrap (cached
between runs) inside systemd-nspawn, then checked; a template with a container (Docker and its
unit laid out and enabled, not started: Docker's daemon does not run inside systemd-nspawn); a
failing script shows its log; other families get the static checks; without root the command
says it needs root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

LIVE = Path(__file__).parents[1] / "fixtures" / "live"


@pytest.fixture(scope="module")
def tools(system_tool: Any) -> None:
    system_tool("debootstrap", package="debootstrap")
    system_tool("systemd-nspawn", package="systemd-container")
    if os.geteuid() != 0:
        pytest.fail("the live template test runs containers: run this suite as root", pytrace=False)


def _test(prism: Any, state: Path, name: str) -> tuple[int, dict[str, Any]]:
    # A live test installs packages and boots systemd twice: minutes on a loaded machine.
    done = prism.run(state, "templates", "test", name, "--output", "json", timeout=1500)
    return done.returncode, json.loads(done.stdout)


def _checks(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["kind"], c["name"]): c for c in result["checks"]}


# The first run builds the cached Debian root (debootstrap) and downloads the packages.
@pytest.mark.timeout(1800)
def test_the_ubuntu_server_template_for_real(prism: Any, tmp_path: Path, tools: None) -> None:
    code, document = _test(prism, tmp_path, "ubuntu-server")
    result = document["test"]
    assert code == 0, json.dumps({"stages": result["stages"], "checks": result["checks"]}, indent=1)
    assert result["live"] is True
    assert [s["name"] for s in result["stages"]] == [
        "static",
        "root",
        "setup",
        "checks",
        "boot",
        "idempotence",
    ]
    assert all(s["result"] == "passed" for s in result["stages"])
    checks = _checks(result)
    for package in ("build-essential", "git", "curl", "htop", "tmux", "unzip", "python3-pip"):
        assert checks[("package", package)]["ok"], package
    assert checks[("user", "researcher")]["ok"]
    assert checks[("group", "researcher:sudo")]["ok"]
    assert checks[("idempotence", "second run, stage markers cleared")]["detail"].endswith(
        "nothing changed"
    )
    assert checks[("idempotence", "third run, stage markers kept")]["ok"]
    assert (Path(result["log_folder"]) / "setup.log").read_text().count("STAGE:users:COMPLETE") == 1


@pytest.mark.timeout(1800)
def test_a_template_with_services_for_real(prism: Any, tmp_path: Path, tools: None) -> None:
    (tmp_path / "templates").mkdir()
    shutil.copy(LIVE / "notes-server.yml", tmp_path / "templates")
    code, document = _test(prism, tmp_path, "notes-server")
    result = document["test"]
    assert code == 0, json.dumps({"stages": result["stages"], "checks": result["checks"]}, indent=1)
    checks = _checks(result)
    assert checks[("unit-enabled", "prism-notes-web")]["ok"]
    assert checks[("unit-enabled", "cron")]["ok"]
    assert checks[("unit-active", "prism-notes-web")]["detail"] == "active"
    assert checks[("unit-active", "cron")]["detail"] == "active"
    assert checks[("port-open", "notes-web:8080")]["ok"]
    assert checks[("post_install", "post_install")]["ok"]
    assert checks[("group", "notes:staff")]["ok"]
    shown = prism.run(tmp_path, "templates", "test", "notes-server", timeout=1500)
    assert shown.returncode == 0
    for stage in ("setup", "checks", "boot", "idempotence"):
        assert f"test notes-server: {stage}: passed in" in shown.stderr


@pytest.mark.timeout(1800)
def test_a_failing_script_and_a_change_on_every_run_are_caught(
    prism: Any, tmp_path: Path, tools: None
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.yml").write_text(
        "name: Broken\nslug: broken\nbase: debian-12\n"
        "post_install: |\n  echo about to fail\n  exit 3\n"
    )
    (tmp_path / "templates" / "restless.yml").write_text(
        "name: Restless\nslug: restless\nbase: debian-12\n"
        "post_install: |\n  date +%s%N >> /etc/restless-runs\n"
    )
    code, document = _test(prism, tmp_path, "broken")
    assert code == 1
    setup = next(s for s in document["test"]["stages"] if s["name"] == "setup")
    assert setup["result"] == "failed"
    assert setup["detail"] == "the setup script exited 3"
    assert any("about to fail" in line for line in setup["log"])
    assert [s["name"] for s in document["test"]["stages"]][-1] == "setup"

    code, document = _test(prism, tmp_path, "restless")
    assert code == 1
    check = _checks(document["test"])[("idempotence", "second run, stage markers cleared")]
    assert not check["ok"]
    assert "/etc/restless-runs" in check["detail"]


@pytest.mark.timeout(1800)
def test_the_research_database_template_for_real(prism: Any, tmp_path: Path, tools: None) -> None:
    code, document = _test(prism, tmp_path, "research-database")
    result = document["test"]
    assert code == 0, json.dumps({"stages": result["stages"], "checks": result["checks"]}, indent=1)
    assert "containers: Docker and their units checked, not started" in result["environment"]
    assert [s["name"] for s in result["stages"]] == [
        "static",
        "root",
        "setup",
        "checks",
        "boot",
        "idempotence",
    ]
    checks = _checks(result)
    assert checks[("docker", "docker")]["detail"].startswith("Docker version ")
    assert checks[("unit-enabled", "docker")]["ok"]
    assert checks[("unit-enabled", "prism-container-postgres")]["ok"]
    assert checks[("container", "postgres")]["ok"]
    assert checks[("group", "researcher:docker")]["ok"]
    assert not any(kind == "unit-active" and "container" in name for kind, name in checks)
    assert checks[("idempotence", "second run, stage markers cleared")]["detail"].endswith(
        "nothing changed"
    )
    log = (Path(result["log_folder"]) / "setup.log").read_text()
    assert log.count("STAGE:containers:COMPLETE") == 1


def test_other_families_get_the_static_checks(prism: Any, tmp_path: Path) -> None:
    code, document = _test(prism, tmp_path, "python-ml-workstation")
    result = document["test"]
    assert code == 0
    assert (result["family"], result["live"]) == ("conda", False)
    assert "the live test is not available for conda templates here" in result["environment"]
    assert [s["name"] for s in result["stages"]] == ["static"]
    assert {c["kind"] for c in result["checks"]} >= {"validation", "bash"}
    code, rocky = _test(prism, tmp_path, "rocky-linux-base")
    assert (rocky["test"]["family"], rocky["test"]["live"]) == ("dnf", False)


def test_without_root_it_says_root_is_needed(prism: Any) -> None:
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) runs the CLI as another user"
    if os.geteuid() != 0:
        pytest.fail("needs root to run the CLI as another user", pytrace=False)
    home = Path(tempfile.mkdtemp(prefix="prism-nobody-"))
    try:
        home.chmod(0o777)
        done = subprocess.run(
            [
                setpriv,
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-m",
                "prism",
                "templates",
                "test",
                "ubuntu-server",
                "--output",
                "json",
            ],
            env={**prism.env(home / "state"), "HOME": str(home), "XDG_CACHE_HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(home)
    problem = json.loads(done.stdout)
    assert done.returncode == 5, done.stderr
    assert problem["code"] == "PRISM_TEST_NEEDS_ROOT"
    assert "sudo prism templates test NAME" in problem["suggestions"][0]
