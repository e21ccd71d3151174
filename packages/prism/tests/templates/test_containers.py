"""Containers in templates: the field's errors point at their line, each container becomes a
systemd unit running `docker run` on the workstation's loopback, Docker is installed the way
each distribution family does it, secrets are warned about, and the scripts pass shellcheck.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from prism.templates.catalog import Catalog
from prism.templates.containers import publish_arg
from prism.templates.issues import TemplateInvalid
from prism.templates.loader import load_text
from prism.templates.notes import template_notes
from prism.templates.resolve import resolve_inheritance
from prism.templates.userdata import render_user_data

GOOD = """\
name: Web
slug: web
base: {base}
containers:
  - name: web
    image: nginx:1.27
    ports: ["8080:80", 9090, "0.0.0.0:8443:443", "5353:53/udp"]
    volumes: ["/srv/site:/usr/share/nginx/html:ro", "cache:/var/cache/nginx"]
    env:
      GREETING: "hello world $HOME 100%"
      DEBUG: true
      WORKERS: 4
    env_file: /etc/prism/secrets/web.env
  - name: db
    image: postgres:16
"""


def _unit(script: str, name: str) -> list[str]:
    start = script.index(f"cat > /etc/systemd/system/prism-container-{name}.service <<'PRISM_UNIT'")
    body = script[start:].splitlines()[1:]
    return body[: body.index("PRISM_UNIT")]


def _issues(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(TemplateInvalid) as raised:
        load_text(text, "bad.yml")
    return [(i.line, i.field, i.problem) for i in raised.value.issues]


def test_each_container_is_a_unit_running_docker_on_loopback() -> None:
    template = load_text(GOOD.format(base="ubuntu-24.04"), "web.yml").template
    script = render_user_data(template)
    unit = _unit(script, "web")
    exec_start = next(line for line in unit if line.startswith("ExecStart="))
    assert exec_start == (
        "ExecStart=/usr/bin/docker run --rm --name web"
        " -p 127.0.0.1:8080:80 -p 127.0.0.1:9090:9090 -p 0.0.0.0:8443:443"
        " -p 127.0.0.1:5353:53/udp"
        " -v /srv/site:/usr/share/nginx/html:ro -v cache:/var/cache/nginx"
        ' -e "GREETING=hello world $$HOME 100%%" -e DEBUG=true -e WORKERS=4'
        " --env-file /etc/prism/secrets/web.env nginx:1.27"
    )
    assert "Restart=always" in unit
    assert "Requires=docker.service" in unit
    assert "ExecStartPre=-/usr/bin/docker rm -f web" in unit
    assert "WantedBy=multi-user.target" in unit
    assert "ExecStart=/usr/bin/docker run --rm --name db postgres:16" in _unit(script, "db")
    stage = script[script.index("stage_containers() {") :]
    assert "apt-get install -y --no-install-recommends docker.io" in stage
    assert stage.index("prism_enable docker\n") < stage.index("prism_enable prism-container-web")
    assert "install -D -m 600 /dev/null /etc/prism/secrets/web.env" in stage
    assert "run_stage containers stage_containers" in script


@pytest.mark.parametrize(
    ("base", "wanted", "unwanted"),
    [
        ("ubuntu-24.04", "docker.io", "dnf install"),
        ("amazon-linux-2023", "dnf install -y docker\n", "apt-get"),
        ("rocky-9", "docker-ce.repo", "apt-get"),
    ],
)
def test_docker_is_installed_the_way_the_family_does(base: str, wanted: str, unwanted: str) -> None:
    template = load_text(GOOD.format(base=base), "web.yml").template
    stage = render_user_data(template).split("stage_containers() {")[1].split("\n}\n")[0]
    assert wanted in stage
    assert unwanted not in stage
    assert stage.startswith("\nif ! command -v docker >/dev/null 2>&1; then")


def test_the_rendered_scripts_pass_bash_and_shellcheck(tmp_path: Path, system_tool: Any) -> None:
    shellcheck = system_tool("shellcheck", package="shellcheck")
    scripts = []
    for base in ("ubuntu-24.04", "rocky-9", "amazon-linux-2023", "my-own-image"):
        path = tmp_path / f"{base}.sh"
        path.write_text(render_user_data(load_text(GOOD.format(base=base), "t.yml").template))
        subprocess.run(["bash", "-n", str(path)], check=True)
        scripts.append(str(path))
    done = subprocess.run(
        [shellcheck, "--severity=warning", *scripts], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_bad_containers_are_refused_at_their_line() -> None:
    text = """\
name: Bad
containers:
  - name: web
    image: nginx
    ports: ["8080:99999", "eighty"]
    volumes: ["relative/path:/data", "/only-one-side"]
    env: {"1BAD": x}
  - name: web
    image: "two words"
"""
    issues = _issues(text)
    fields = {field: (line, problem) for line, field, problem in issues}
    assert fields["containers.0.ports.0"][0] == 5
    assert "'8080:99999' is not a port mapping" in fields["containers.0.ports.0"][1]
    assert "each port 1-65535" in fields["containers.0.ports.0"][1]
    assert "'eighty' is not a port mapping" in fields["containers.0.ports.1"][1]
    assert fields["containers.0.volumes.0"][0] == 6
    assert "/path/on/workstation:/path/in/container" in fields["containers.0.volumes.0"][1]
    assert "'/only-one-side' is not a volume" in fields["containers.0.volumes.1"][1]
    assert any(f.startswith("containers.0.env.1BAD") for f in fields)
    assert fields["containers.1.image"][0] == 9


def test_two_containers_of_one_name_are_refused() -> None:
    text = """\
name: Twice
containers:
  - name: web
    image: nginx
  - name: web
    image: caddy
"""
    [(line, field, problem)] = _issues(text)
    assert (line, field) == (2, "containers")
    assert problem == "two containers are named 'web'; names must differ"


def test_a_secret_in_env_is_warned_about_and_env_file_is_not() -> None:
    text = """\
name: Leaky
containers:
  - name: db
    image: postgres:16
    env: {POSTGRES_PASSWORD: hunter2, POSTGRES_DB: research}
  - name: safe
    image: postgres:16
    env_file: /etc/prism/secrets/db.env
"""
    template = load_text(text, "leaky.yml").template
    notes = template_notes(template, "leaky.yml")
    assert [n.field for n in notes] == ["containers.db.env.POSTGRES_PASSWORD"]
    assert "put POSTGRES_PASSWORD=... in the container's env_file" in notes[0].fix
    assert notes[0].severity == "warning"


def test_a_child_template_replaces_a_parent_container_by_name_and_keeps_the_others() -> None:
    parent = load_text(
        "name: Parent\nslug: parent\ncontainers:\n"
        "  - {name: web, image: 'nginx:1.25'}\n  - {name: cache, image: 'redis:7'}\n",
        "parent.yml",
    )
    child = load_text(
        "name: Child\nslug: child\ninherits: [parent]\ncontainers:\n"
        "  - {name: web, image: 'nginx:1.27'}\n",
        "child.yml",
    )
    merged = resolve_inheritance(child, {"parent": parent}.get)
    assert [(c.name, c.image) for c in merged.containers] == [
        ("web", "nginx:1.27"),
        ("cache", "redis:7"),
    ]


def test_publish_binds_loopback_unless_an_address_is_given() -> None:
    assert publish_arg("80") == "127.0.0.1:80:80"
    assert publish_arg("8080:80") == "127.0.0.1:8080:80"
    assert publish_arg("10.0.0.5:8080:80") == "10.0.0.5:8080:80"
    assert publish_arg("53/udp") == "127.0.0.1:53:53/udp"


def test_the_bundled_database_template_keeps_its_password_on_the_workstation(
    tmp_path: Path,
) -> None:
    """The bundled container template's password is made at first boot in a root-only file
    that docker reads with --env-file: run its post_install here (paths moved into tmp_path)
    and see the file made once, mode 600, and kept on a second run.
    """
    resolved = Catalog(None).resolve("research-database")
    template = resolved.template
    assert template_notes(template, "x") == []
    [postgres] = template.containers
    assert postgres.env_file == "/etc/prism/secrets/postgres.env"
    assert "POSTGRES_PASSWORD" not in postgres.env
    assert "POSTGRES_PASSWORD" not in resolved.user_data().replace(
        "printf 'POSTGRES_PASSWORD=%s", ""
    )
    script = (
        (template.post_install or "")
        .replace("/etc/prism/", f"{tmp_path}/etc/")
        .replace("/srv/", f"{tmp_path}/srv/")
    )
    secret = tmp_path / "etc" / "secrets" / "postgres.env"
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], check=True)
    first = secret.read_text()
    assert first.startswith("POSTGRES_PASSWORD=") and len(first.strip()) == len(
        "POSTGRES_PASSWORD=" + "ab" * 18
    )
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], check=True)
    assert secret.read_text() == first


def test_templates_info_shows_the_containers(tmp_path: Path) -> None:
    env = {**os.environ, "PRISM_STATE_DIR": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200"}
    shown = subprocess.run(
        [sys.executable, "-m", "prism", "templates", "info", "research-database"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    row = next(line for line in shown.stdout.splitlines() if "containers" in line)
    assert "postgres (postgres:16)" in row
