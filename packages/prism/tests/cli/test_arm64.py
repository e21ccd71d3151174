"""ARM64: `--arch arm64` runs a template's size on its Graviton peer family with an arm64 image,
for real in the sandbox (moto's EC2 knows each type's architecture and each image's); every
bundled template works on both architectures or says why not; a template that downloads an
x86_64-only binary is refused on arm64.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

BUNDLED = sorted(
    p.name.removesuffix(".yml")
    for p in resources.files("prism.templates").joinpath("bundled").iterdir()
    if p.name.endswith(".yml")
)


def _architecture_of_type(clocked: Any, instance_type: str) -> str:
    found = clocked.client("ec2").describe_instance_types(InstanceTypes=[instance_type])
    [architecture] = found["InstanceTypes"][0]["ProcessorInfo"]["SupportedArchitectures"][:1]
    return str(architecture)


def _architecture_of_image(clocked: Any, image_id: str) -> str:
    [image] = clocked.client("ec2").describe_images(ImageIds=[image_id])["Images"]
    return str(image["Architecture"])


def test_launch_with_arch_arm64_runs_a_graviton_type_on_an_arm64_image(clocked: Any) -> None:
    arm = clocked.json("launch", "ubuntu-server", "arm1", "--arch", "arm64", "--size", "S")
    ws = arm["workstation"]
    assert (ws["instance_type"], ws["architecture"]) == ("t4g.small", "arm64")
    [reservation] = (
        clocked.client("ec2")
        .describe_instances(Filters=[{"Name": "tag:prism:workspace", "Values": ["arm1"]}])
        .get("Reservations")
    )
    [instance] = reservation["Instances"]
    assert instance["InstanceType"] == "t4g.small"
    assert _architecture_of_image(clocked, instance["ImageId"]) == "arm64"

    x86 = clocked.json("launch", "ubuntu-server", "x1", "--size", "S")["workstation"]
    assert (x86["instance_type"], x86["architecture"]) == ("t3.small", "x86_64")
    assert _architecture_of_image(clocked, x86["image_id"]) == "x86_64"

    hourly = {c["name"]: c for c in clocked.json("cost")["costs"] if c["kind"] == "workstation"}
    assert (hourly["arm1"]["instance_type"], hourly["arm1"]["hourly_usd"]) == ("t4g.small", 0.0168)
    assert (hourly["x1"]["instance_type"], hourly["x1"]["hourly_usd"]) == ("t3.small", 0.0208)


@pytest.mark.parametrize("slug", BUNDLED)
def test_every_bundled_template_launches_on_both_architectures_or_says_why(
    clocked: Any, slug: str
) -> None:
    declared = yaml.safe_load(
        resources.files("prism.templates").joinpath("bundled", f"{slug}.yml").read_text()
    )
    for arch in ("x86_64", "arm64"):
        name = f"dry-{arch.replace('_', '-')}"
        result = clocked.run("launch", slug, name, "--arch", arch, "--dry-run", "-o", "json")
        if arch in declared.get("architectures", [arch]):
            assert result.returncode == 0, result.stdout + result.stderr
            ws = json.loads(result.stdout)["workstation"]
            assert ws["architecture"] == arch
            assert _architecture_of_type(clocked, ws["instance_type"]) == arch
            assert _architecture_of_image(clocked, ws["image_id"]) == arch
        else:
            problem = json.loads(result.stdout)
            assert result.returncode == 2, result.stdout
            assert problem["code"] == "PRISM_TEMPLATE_ARCH_UNSUPPORTED"
            assert declared["architectures_reason"].split(";")[0] in problem["detail"]


def test_templates_info_prices_each_size_on_both_architectures(prism: Any, tmp_path: Path) -> None:
    info = prism.json(tmp_path, "templates", "info", "rstudio-server")["template"]
    assert (info["architectures"], info["price_region"]) == (["x86_64", "arm64"], "us-east-1")
    default = info["sizes"][0]
    assert default["size"] == "default"
    assert (default["x86_64"]["instance_type"], default["x86_64"]["hourly_usd"]) == (
        "r5.large",
        0.126,
    )
    assert (default["arm64"]["instance_type"], default["arm64"]["hourly_usd"]) == (
        "r7g.large",
        0.1071,
    )
    shown = prism.run(tmp_path, "templates", "info", "rstudio-server")
    assert "r5.large  0.1260" in shown.stdout and "r7g.large  0.1071" in shown.stdout

    gpu = prism.json(tmp_path, "templates", "info", "gpu-deep-learning", "--region", "eu-west-1")
    sizes = gpu["template"]["sizes"]
    assert [s["arm64"] for s in sizes] == [None] * len(sizes)
    assert sizes[0]["x86_64"]["hourly_usd"] == round(0.526 * 1.11, 4)
    assert "gpu-deep-learning-graviton" in gpu["template"]["architectures_reason"]
    graviton = prism.json(tmp_path, "templates", "info", "gpu-deep-learning-graviton")
    assert graviton["template"]["sizes"][1]["arm64"]["instance_type"] == "g5g.xlarge"


X86_DOWNLOAD = """
name: "Licensed Tool"
slug: "licensed-tool"
base: "ubuntu-22.04"
package_manager: "apt"
post_install: |
  #!/bin/bash
  curl -fsSL -o /tmp/tool.deb https://vendor.example/tool_2.1_amd64.deb
  dpkg -i /tmp/tool.deb
instance_defaults:
  type: "m5.large"
"""


def test_an_x86_only_template_is_refused_on_arm64_saying_why(clocked: Any) -> None:
    folder = clocked.state / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "licensed-tool.yml").write_text(X86_DOWNLOAD)
    code, problem = clocked.problem("launch", "licensed-tool", "lt", "--arch", "arm64")
    assert (code, problem["code"]) == (2, "PRISM_TEMPLATE_ARCH_UNSUPPORTED")
    assert "https://vendor.example/tool_2.1_amd64.deb" in problem["detail"]
    assert "--arch x86_64" in problem["suggestions"][0]
    assert "lt" not in {w["name"] for w in clocked.json("list")["workstations"]}
    x86 = clocked.json("launch", "licensed-tool", "lt", "--dry-run")["workstation"]
    assert (x86["instance_type"], x86["architecture"]) == ("m5.large", "x86_64")

    (folder / "licensed-tool.yml").write_text(X86_DOWNLOAD + "architectures: [x86_64, arm64]\n")
    checked = clocked.run("templates", "validate", str(folder / "licensed-tool.yml"))
    assert checked.returncode == 1
    assert "declares arm64 but its setup downloads an x86_64-only binary" in checked.stdout


def test_a_size_with_no_graviton_peer_says_what_to_do(clocked: Any) -> None:
    folder = clocked.state / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "v100.yml").write_text(
        'name: "V100"\nslug: "v100"\nbase: "ubuntu-22.04"\ninstance_defaults:\n'
        '  type: "p3.2xlarge"\n'
    )
    code, problem = clocked.problem("launch", "v100", "v1", "--arch", "arm64")
    assert (code, problem["code"]) == (2, "PRISM_ARCH_NO_PEER")
    assert "p3.2xlarge has no arm64 counterpart" in problem["detail"]
    assert problem["suggestions"][0].startswith("Launch it on x86_64: --arch x86_64")
    assert "g4dn -> g5g" in problem["suggestions"][1]


def test_template_docs_price_both_architectures(prism: Any, tmp_path: Path) -> None:
    prism.json(tmp_path, "templates", "docs", "rstudio-server", "--out", str(tmp_path / "d"))
    page = (tmp_path / "d" / "rstudio-server.md").read_text()
    assert "| default | r5.large | 0.1260 (bundled) | r7g.large | 0.1071 (bundled) |" in page
    prism.json(tmp_path, "templates", "docs", "gpu-deep-learning", "--out", str(tmp_path / "d"))
    gpu = (tmp_path / "d" / "gpu-deep-learning.md").read_text()
    assert "| XS | g4dn.xlarge | 0.5260 (bundled) | - | - |" in gpu
