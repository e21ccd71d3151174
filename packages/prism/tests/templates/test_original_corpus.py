"""A collection in the shape of the original's: every connection type, placeholders in names,
services with config, desktops, images of a template's own, inheritance by display name across
files. It validates as a folder, renders, and its scripts pass bash -n and shellcheck.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from prism.templates.catalog import Catalog
from prism.templates.connection import access_for
from prism.templates.issues import TemplateInvalid
from prism.templates.loader import load_text
from prism.workstations.templating import LaunchTemplate

CORPUS = Path(__file__).parents[1] / "fixtures" / "original-corpus"


@pytest.fixture(scope="module")
def corpus() -> Catalog:
    return Catalog(None, [CORPUS])


def test_the_whole_collection_validates_as_a_folder() -> None:
    reports = Catalog(None).validate_paths([CORPUS])
    assert len(reports) == 13
    assert [(r.slug, r.errors) for r in reports if not r.ok] == []
    warnings = {r.slug: " ".join(r.warnings) for r in reports}
    assert "idle_detection" not in warnings["ubuntu-22-04-desktop"]  # applied now: no warning
    assert "idle_minutes" not in warnings["collaborative-workspace"]  # the original's own names
    assert (
        "research_user: a field of the original prism that this prism does not apply"
        in (warnings["collaborative-workspace"])
    )
    assert "/etc/rstudio-server/rstudio-server.conf" in warnings["collaborative-workspace"]
    assert "users.researcher.password: sets a fixed password" in warnings["ultimate-workstation"]


@pytest.mark.parametrize(
    ("slug", "desktop", "web", "primary", "ports"),
    [
        ("rocky-linux-9-base", None, False, "ssh", [22]),
        ("python-ml-config", None, True, "web", [22, 8888]),
        ("ubuntu-22-04-desktop", "dcv", False, "desktop", [22, 8443]),
        ("xfce-desktop", "vnc", False, "desktop", [22, 6080]),
        ("ubuntu-datascience", "dcv", True, "web", [22, 8443, 8888]),
        ("ultimate-workstation", "dcv", True, "desktop", [22, 5000, 8443, 8501, 8888]),
        ("test-auto", None, False, "ssh", [22]),
        ("collaborative-workspace", None, True, "ssh", [22, 8787, 8888]),
    ],
)
def test_every_connection_type_means_ports_services_and_verbs(
    corpus: Catalog,
    slug: str,
    desktop: str | None,
    web: bool,
    primary: str,
    ports: list[int],
) -> None:
    launch = LaunchTemplate(corpus.resolve(slug))
    access = access_for(launch.resolved.template)
    assert (access.desktop, access.web, access.primary) == (desktop, web, primary)
    assert launch.ports == ports
    if desktop:
        assert launch.services["desktop"] == {"dcv": 8443, "vnc": 6080}[desktop]
        assert "prism web NAME desktop" in access.verbs
    else:
        assert "desktop" not in launch.services
    assert ("prism web NAME [SERVICE]" in access.verbs) is web


def test_placeholders_fill_names_service_config_scripts_and_tags(corpus: Catalog) -> None:
    params = {"user_name": "alice", "jupyter_interface": "notebook", "ml_framework": "tensorflow"}
    resolved = corpus.resolve("python-ml-config", params)
    template = resolved.template
    assert [u.name for u in template.users] == ["alice"]
    assert [s.name for s in template.services] == ["jupyter-notebook"]
    assert template.services[0].config_lines() == [
        "c.ServerApp.ip = '127.0.0.1'",
        "c.ServerApp.token = 'alice-token'",
        "c.ServerApp.base_url = '/jupyter/'",
    ]
    assert template.packages.conda[0] == "python=3.11"
    assert template.tags["ml_framework"] == "tensorflow"
    script = resolved.user_data()
    assert "pip install tensorflow" in script
    assert "pytorch" not in script
    assert "/home/alice/.bashrc" in script
    assert "jupyter notebook --config=/etc/prism/jupyter/jupyter-notebook_config.py" in script
    assert "c.ServerApp.token = 'alice-token'" in script
    urls = LaunchTemplate(resolved).service_urls
    assert urls["jupyter-notebook"] == "http://{local}/jupyter/tree?token=alice-token"


def test_a_placeholder_must_become_a_valid_name(corpus: Catalog, tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(
        "name: Bad\nbase: ubuntu-24.04\nparameters:\n  who: {type: string, default: Not Valid}\n"
        "users:\n  - name: '{{.who}}'\n"
    )
    with pytest.raises(TemplateInvalid) as bad:
        Catalog(tmp_path).resolve("bad")
    assert bad.value.issues[0].field == "users.0.name"
    assert "once its placeholders are filled" in bad.value.issues[0].problem
    assert Catalog(tmp_path).resolve("bad", {"who": "valid"}).template.users[0].name == "valid"


def test_a_placeholder_that_names_no_parameter_is_the_error(tmp_path: Path) -> None:
    (tmp_path / "typo.yml").write_text(
        "name: Typo\nbase: ubuntu-24.04\nparameters:\n  user_name: {default: ana}\n"
        "services:\n  - name: 'web-{{.user_nam}}'\n"
        'post_install: |\n  {{if eq .flavour "x"}}echo x{{end}}\n'
    )
    with pytest.raises(TemplateInvalid) as typo:
        Catalog(tmp_path).resolve("typo")
    problems = {(i.field, i.problem) for i in typo.value.issues}
    assert ("services.0.name", "placeholder {{.user_nam}} names no parameter") in problems
    assert ("post_install", "placeholder {{.flavour}} names no parameter") in problems
    assert "known: user_name" in typo.value.issues[0].fix


def test_unreadable_placeholder_syntax_points_at_its_line() -> None:
    with pytest.raises(TemplateInvalid) as bad:
        load_text(
            "name: X\nbase: ubuntu-24.04\npost_install: |\n  echo ok\n  {{range .x}}\n", "x.yml"
        )
    issue = bad.value.issues[0]
    assert issue.field == "post_install"
    assert issue.line == 5
    assert "range is not supported" in issue.problem


def test_inheritance_by_display_name_across_files(corpus: Catalog) -> None:
    stack = corpus.resolve("rocky-conda").template
    assert stack.base == "rocky-9"
    assert stack.packages.system == ["gcc", "make", "git", "tar"]
    assert [u.name for u in stack.users] == ["rocky", "datascientist"]
    assert stack.instance_defaults.ports == [22, 8888]
    assert stack.package_manager == "conda"
    notebook = corpus.resolve("jupyter-notebook-server").template
    assert notebook.base == "ubuntu-24.04"
    assert "build-essential" in notebook.packages.system
    assert notebook.version == "2.1.0"


def test_a_parent_outside_its_pinned_range_is_refused(tmp_path: Path) -> None:
    (tmp_path / "child.yml").write_text(
        "name: Child\nslug: child\ninherits: ['Ubuntu 24.04 Server@>=2.0']\n"
    )
    catalog = Catalog(tmp_path, [CORPUS])
    with pytest.raises(TemplateInvalid) as pinned:
        catalog.resolve("child")
    assert "'Ubuntu 24.04 Server' is version 1.0; this template needs >=2.0" in (
        pinned.value.issues[0].problem
    )


def test_desktops_install_and_start_their_servers(corpus: Catalog) -> None:
    dcv = corpus.resolve("ubuntu-22-04-desktop").user_data()
    assert "nice-dcv-server_*.deb" in dcv
    assert "web-listen-endpoints = ['127.0.0.1:8443']" in dcv
    assert "prism_enable dcvserver" in dcv
    assert "dcv create-session --type=virtual --owner user prism" in dcv
    vnc = corpus.resolve("xfce-desktop").user_data()
    assert "tigervnc-standalone-server" in vnc
    assert "websockify --web /usr/share/novnc 127.0.0.1:6080 127.0.0.1:5901" in vnc
    assert "User=artist" in vnc


def test_what_is_honoured_from_the_originals_fields(corpus: Catalog) -> None:
    ultimate = corpus.resolve("ultimate-workstation").user_data()
    assert "echo researcher:research123 | chpasswd" in ultimate
    assert "prism_disable prism-streamlit-dashboard" in ultimate
    collab = corpus.resolve("collaborative-workspace")
    script = collab.user_data()
    assert "/etc/rstudio-server/rstudio-server.conf" in script
    assert script.index("run_stage system_services") > script.index("run_stage services")
    assert LaunchTemplate(collab).type_preferences == ["m5.xlarge", "m5.2xlarge", "c5.2xlarge"]
    server = corpus.resolve("ubuntu-24-04-server").user_data()
    assert "IDLE_THRESHOLD_MINUTES=5" in server
    assert "*/2 * * * * root" in server


def test_a_template_with_images_of_its_own(corpus: Catalog) -> None:
    image = LaunchTemplate(corpus.resolve("amazon-linux-2023-server"))
    assert image.image_of_its_own("us-east-1", "x86_64") == "ami-0c94855ba95b798c7"
    assert image.login_user == "ec2-user"
    assert image.default_instance_type == "t3.medium"
    with pytest.raises(Exception) as elsewhere:
        image.image_of_its_own("ap-south-1", "x86_64")
    assert "eu-west-1, us-east-1" in str(elsewhere.value)
    script = image.resolved.user_data()
    assert "dnf install -y git docker" in script


def test_every_script_passes_bash_and_shellcheck(
    corpus: Catalog, tmp_path: Path, system_tool: Any
) -> None:
    slugs = [f.template.key for f in corpus.files().values() if f.origin == "user"]
    assert len(slugs) == 13
    for slug in slugs:
        script = tmp_path / f"{slug}.sh"
        script.write_text(corpus.resolve(slug).user_data())
        subprocess.run(["bash", "-n", str(script)], check=True)
    shellcheck = system_tool("shellcheck", package="shellcheck")
    scripts = sorted(str(p) for p in tmp_path.glob("*.sh"))
    subprocess.run([shellcheck, "--severity=warning", *scripts], check=True)
