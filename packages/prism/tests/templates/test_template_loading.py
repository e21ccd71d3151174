"""Templates: the original's files load unchanged; errors point at file, line and field."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from groundwork.errors import ToolError
from prism.templates.catalog import Catalog
from prism.templates.issues import TemplateInvalid
from prism.templates.loader import load_file, load_text
from prism.templates.userdata import Mount, render_user_data

FIXTURES = Path(__file__).parents[1] / "fixtures"
REFERENCE = FIXTURES / "prism-templates"


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


def test_the_originals_templates_load_unchanged() -> None:
    files = sorted(REFERENCE.glob("*.yml"))
    assert len(files) == 3
    for path in files:
        loaded = load_file(path)
        assert loaded.warnings == []
    params = load_file(REFERENCE / "test-parameters.yml").template
    assert params.key == "test-params"
    assert params.parameters["test_count"].default == 42
    rstudio = load_file(REFERENCE / "rstudio-server.yml").template
    assert rstudio.instance_defaults.type == "r5.large"
    assert rstudio.services[0].port == 8787


def test_an_ami_build_template_of_the_original_loads_with_its_unknown_fields_named() -> None:
    """The original's other format (AMI build recipes, per its schema) is not a workstation
    template: it loads, and the fields that have no effect here are named, not dropped silently.
    """
    recipe = {
        "name": "Research base image",
        "base": "ubuntu-22.04-server-lts",
        "description": "Base image with the lab's tools",
        "build_steps": [{"name": "tools", "script": "apt-get install -y git"}],
        "validation": [{"name": "git", "command": "git --version", "success": True}],
    }
    schema = json.loads((FIXTURES / "prism-template.schema.json").read_text())
    jsonschema.validate(recipe, schema)
    loaded = load_text(yaml.safe_dump(recipe), "recipe.yml")
    assert loaded.template.base == "ubuntu-22.04-server-lts"
    assert [w.split(": ")[1] for w in loaded.warnings] == ["build_steps", "validation"]
    assert all(w.endswith("unknown field, kept but not used") for w in loaded.warnings)


def test_user_templates_override_bundled_ones_and_render(user_dir: Path) -> None:
    for path in REFERENCE.glob("*.yml"):
        shutil.copy(path, user_dir)
    catalog = Catalog(user_dir)
    assert catalog.get("rstudio-server").origin == "user"
    assert catalog.get("ubuntu-server").origin == "bundled"
    resolved = catalog.resolve("test-params", {"test_count": "7"})
    script = resolved.user_data()
    assert 'echo "Test count: 7"' in script
    assert 'echo "Test message: Hello World"' in script
    assert 'echo "Test variable: test-value"' in script


def test_inheritance_appends_parent_first_and_child_overrides() -> None:
    stack = Catalog(None).resolve("rocky-conda-stack").template
    assert stack.base == "rocky-9"
    assert stack.packages.system[:2] == ["git", "curl"]
    assert stack.packages.system[-1] == "environment-modules"
    assert stack.package_manager == "conda"
    assert stack.instance_defaults.type == "t3.medium"
    assert stack.instance_defaults.root_volume_gb == 40
    assert [u.name for u in stack.users] == ["researcher"]


def test_an_inheritance_cycle_is_named(user_dir: Path) -> None:
    (user_dir / "a.yml").write_text("name: A\nslug: a\nbase: ubuntu-22.04\ninherits: [B]\n")
    (user_dir / "b.yml").write_text("name: B\nslug: b\ninherits: [a]\n")
    with pytest.raises(TemplateInvalid) as cycle:
        Catalog(user_dir).resolve("a")
    assert "a -> b -> a" in cycle.value.message


def test_errors_name_the_line_and_the_field() -> None:
    text = (
        "name: Broken\nbase: ubuntu-22.04\nminimum_size: XXL\n"
        "services:\n  - name: web\n    port: 99999\n"
    )
    with pytest.raises(TemplateInvalid) as invalid:
        load_text(text, "broken.yml")
    issues = {i.field: i for i in invalid.value.issues}
    assert issues["minimum_size"].line == 3
    assert "'XS'" in issues["minimum_size"].problem
    assert issues["services.0.port"].line == 6
    assert invalid.value.exit_code == 2


def test_bad_yaml_points_at_its_line() -> None:
    with pytest.raises(TemplateInvalid) as invalid:
        load_text("name: x\nbase: [unclosed\nslug: y\n", "bad.yml")
    assert invalid.value.issues[0].field == "yaml"
    assert invalid.value.issues[0].line is not None


def test_unknown_fields_are_kept_and_warned_about() -> None:
    loaded = load_text("name: X\nbase: ubuntu-22.04\ngpu_count: 2\n", "x.yml")
    assert loaded.template.model_extra == {"gpu_count": 2}
    assert loaded.warnings == ["x.yml:3: gpu_count: unknown field, kept but not used"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"python_version": "2.7"}, "PRISM_PARAM_INVALID"),
        ({"nope": "1"}, "PRISM_PARAM_UNKNOWN"),
    ],
)
def test_parameters_are_checked(params: dict[str, str], code: str) -> None:
    with pytest.raises(ToolError) as bad:
        Catalog(None).resolve("python-ml-workstation", params)
    assert bad.value.code == code


def test_parameter_types_ranges_and_patterns(user_dir: Path) -> None:
    (user_dir / "p.yml").write_text(
        "name: P\nslug: p\nbase: ubuntu-22.04\nparameters:\n"
        "  workers: {type: int, default: 2, min: 1, max: 8}\n"
        "  tag: {type: string, default: v1, pattern: 'v[0-9]+'}\n"
    )
    catalog = Catalog(user_dir)
    assert catalog.resolve("p", {"workers": "4"}).values["workers"] == 4
    for bad in ({"workers": "many"}, {"workers": "9"}, {"tag": "latest"}):
        with pytest.raises(ToolError) as error:
            catalog.resolve("p", bad)
        assert error.value.code == "PRISM_PARAM_INVALID"


def test_every_bundled_script_passes_bash_and_shellcheck(tmp_path: Path, system_tool: Any) -> None:
    catalog = Catalog(None)
    assert len(catalog.files()) >= 5
    for slug in catalog.files():
        script = tmp_path / f"{slug}.sh"
        script.write_text(catalog.resolve(slug).user_data())
        subprocess.run(["bash", "-n", str(script)], check=True)
        text = script.read_text()
        assert "STAGE:complete:COMPLETE" in text
        assert "run_stage" in text
    shellcheck = system_tool("shellcheck", package="shellcheck")
    scripts = [str(p) for p in tmp_path.glob("*.sh")]
    subprocess.run([shellcheck, "--severity=warning", *scripts], check=True)


def test_stages_already_done_are_skipped_on_a_second_run(tmp_path: Path) -> None:
    template = load_text(
        'name: T\nbase: ubuntu-22.04\npost_install: |\n  echo ran >> "$OUT"\n', "t.yml"
    )
    script = render_user_data(template.template)
    script = script.replace("/var/lib/prism", str(tmp_path / "state")).replace(
        "exec > >(tee -a /var/log/prism-setup.log) 2>&1", ""
    )
    path = tmp_path / "setup.sh"
    path.write_text(script)
    env = {"OUT": str(tmp_path / "out"), "PATH": "/usr/bin:/bin"}
    first = subprocess.run(["bash", str(path)], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run(
        ["bash", str(path)], env=env, capture_output=True, text=True, check=True
    )
    assert "STAGE:post_install:COMPLETE" in first.stdout
    assert "STAGE:post_install:SKIP" in second.stdout
    assert (tmp_path / "out").read_text() == "ran\n"


def test_a_script_over_16_kb_is_refused() -> None:
    lines = "".join(f"  echo line {i} {'x' * 60}\n" for i in range(300))
    template = load_text(f"name: Big\nbase: ubuntu-22.04\npost_install: |\n{lines}", "big.yml")
    with pytest.raises(ToolError) as too_big:
        render_user_data(template.template)
    assert too_big.value.code == "PRISM_USERDATA_TOO_LARGE"
    assert "16,384" in too_big.value.message


def test_volumes_chosen_at_launch_are_mounted_from_first_boot(tmp_path: Path) -> None:
    template = Catalog(None).resolve("rocky-conda-stack").template
    script = render_user_data(template, mounts=(Mount("fs-0abc", "eu-west-1", "/mnt/data"),))
    assert "fs-0abc.efs.eu-west-1.amazonaws.com:/ /mnt/data nfs4" in script
    assert "dnf install -y nfs-utils" in script
    path = tmp_path / "setup.sh"
    path.write_text(script)
    subprocess.run(["bash", "-n", str(path)], check=True)
