"""What a new user met on the way: text that Rich's markup ate, slugs wrapped mid-word,
"sandbox: sandbox:", an invalid template vanishing from the list, `--size-gb` beside launch's
`--size`, and a simulated unmount that did not say so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_templates_list_keeps_slugs_whole_and_shows_invalid_ones(
    prism: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "broken.yml").write_text("name: Broken\nbase: ubuntu-24.04\nminimum_size: XXL\n")
    (folder / "orphan.yml").write_text("name: Orphan\ninherits: [Nobody]\n")
    narrow = prism.run(tmp_path, "templates", "list", env={"COLUMNS": "80"})
    assert narrow.returncode == 0
    lines = narrow.stdout.splitlines()
    for slug in ("python-ml-workstation", "gpu-deep-learning", "rocky-conda-stack"):
        assert any(slug in line for line in lines), slug
    assert "invalid: broken" in narrow.stdout
    assert "invalid: orphan" in narrow.stdout
    listed = {t["slug"]: t for t in prism.json(tmp_path, "templates", "list")["templates"]}
    assert listed["broken"]["valid"] is False
    assert "minimum_size" in listed["broken"]["error"]
    assert listed["orphan"]["valid"] is False
    assert "parent template 'Nobody' was not found" in listed["orphan"]["error"]
    assert listed["ubuntu-server"]["valid"] is True


def test_markup_never_eats_text(prism: Any, tmp_path: Path) -> None:
    info = prism.run(tmp_path, "templates", "info", "rstudio-server")
    assert r"^[0-9]{4}\.[0-9]{2}\.[0-9]+-[0-9]+$" in info.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text("name: Bad\nbase: ubuntu-24.04\nusers:\n  - name: Not [bold]Valid[/bold]\n")
    checked = prism.run(tmp_path, "templates", "validate", str(bad))
    assert checked.returncode == 1
    flat = " ".join(checked.stdout.split())
    assert "[a-z_][a-z0-9_-]{0,31}" in flat.replace(" ", "")
    assert "[bold]Valid[/bold]" in flat


def test_profiles_show_says_what_the_sandbox_is(prism: Any, tmp_path: Path) -> None:
    shown = prism.run(tmp_path, "profiles", "show")
    assert shown.stdout.splitlines()[0] == (
        "Profile sandbox is the sandbox, AWS simulated on this machine, region us-east-1."
    )
    assert "sandbox: sandbox" not in shown.stdout


def test_storage_sizes_take_units_and_simulated_mounts_say_so(prism: Any, sandbox: Path) -> None:
    prism.json(sandbox, "launch", "ubuntu-server", "edge-box")
    disk = prism.json(sandbox, "storage", "create", "edge-disk", "--size", "1T")["disk"]
    assert disk["size_gb"] == 1024
    plain = prism.json(sandbox, "storage", "create", "edge-small", "--size", "20")["disk"]
    assert plain["size_gb"] == 20
    legacy = prism.json(sandbox, "storage", "create", "edge-legacy", "--size-gb", "30")["disk"]
    assert legacy["size_gb"] == 30
    fraction = prism.run(sandbox, "storage", "create", "edge-x", "--size", "1.5G", "-o", "json")
    assert fraction.returncode == 2
    assert json.loads(fraction.stdout)["code"] == "PRISM_SIZE_INVALID"

    prism.json(sandbox, "volume", "create", "edge-vol")
    mounted = prism.run(sandbox, "volume", "mount", "edge-vol", "edge-box")
    assert "(simulated)" in mounted.stdout
    assert "nothing was mounted on one" in mounted.stderr
    unmounted = prism.run(sandbox, "volume", "unmount", "edge-vol", "edge-box")
    assert unmounted.returncode == 0, unmounted.stderr
    assert "Unmounted edge-vol from edge-box (simulated)" in unmounted.stdout
    assert "Simulated by the sandbox: edge-box is no machine, so nothing was unmounted" in (
        " ".join(unmounted.stderr.split())
    )
    document = prism.json(sandbox, "volume", "mount", "edge-vol", "edge-box")
    assert document["simulated"] is True
    assert document["notice"].startswith("Simulated by the sandbox")
