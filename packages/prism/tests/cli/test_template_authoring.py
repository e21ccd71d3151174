"""Writing templates: `templates new` from flags and from questions at a terminal (validated
before anything is written), and `templates docs`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from prism.templates.catalog import Catalog


def test_new_from_flags_is_validated_then_written(prism: Any, tmp_path: Path) -> None:
    made = prism.json(
        tmp_path,
        "templates",
        "new",
        "genomics-lab",
        "--from",
        "ubuntu-24.04",
        "-P",
        "samtools",
        "-P",
        "bwa,bcftools",
        "--service",
        "notes:8080",
        "--user",
        "ana",
        "--connection",
        "web",
        "--yes",
    )["template"]
    assert made["slug"] == "genomics-lab"
    assert made["connection"]["verbs"] == ["prism connect NAME", "prism web NAME [SERVICE]"]
    written = yaml.safe_load((tmp_path / "templates" / "genomics-lab.yml").read_text())
    assert written["base"] == "ubuntu-24.04"
    assert written["packages"] == {"system": ["samtools", "bwa", "bcftools"]}
    assert written["services"] == [{"name": "notes", "port": 8080}]
    assert written["ports"] == [8080]
    assert written["users"] == [{"name": "ana", "groups": ["sudo"]}]
    history = prism.json(tmp_path, "templates", "history", "genomics-lab")["history"]["versions"]
    assert [(h["version"], h["source"]) for h in history] == [("1.0.0", "new")]

    on_parent = prism.json(
        tmp_path, "templates", "new", "my-ml", "--from", "python-ml-workstation", "--yes"
    )
    assert on_parent["template"]["definition"]["inherits"] == ["Python ML Workstation"]
    assert Catalog(tmp_path / "templates").resolve("my-ml").template.packages.conda


def test_new_refuses_what_does_not_validate_and_writes_nothing(prism: Any, tmp_path: Path) -> None:
    unknown = prism.run(
        tmp_path, "templates", "new", "x", "--from", "nowhere", "--yes", "-o", "json"
    )
    assert unknown.returncode == 2
    assert json.loads(unknown.stdout)["code"] == "PRISM_TEMPLATE_BASE_UNKNOWN"
    bad_user = prism.run(
        tmp_path, "templates", "new", "y", "--user", "Not Valid", "--yes", "-o", "json"
    )
    assert bad_user.returncode == 2
    problem = json.loads(bad_user.stdout)
    assert problem["code"] == "PRISM_TEMPLATE_INVALID"
    assert "users.0.name" in problem["detail"]
    assert not (tmp_path / "templates").exists() or not list((tmp_path / "templates").iterdir())
    assert prism.run(tmp_path, "templates", "new", "z", "--yes").returncode == 0
    again = prism.run(tmp_path, "templates", "new", "z", "--yes", "-o", "json")
    assert again.returncode == 4
    assert json.loads(again.stdout)["code"] == "PRISM_TEMPLATE_EXISTS"


def test_new_asks_at_a_terminal_for_what_no_flag_gave(prism: Any, tmp_path: Path) -> None:
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "prism", "templates", "new", "field-lab", "--pip", "pandas"],
        env=prism.env(tmp_path),
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(terminal)
    answers = "Field Lab\nSamples from the field\ndebian-12\nr-base, gdal-bin\nnotes:8080\n9000\n"
    os.write(controller, answers.encode())
    out, err = process.communicate(timeout=60)
    os.close(controller)
    assert process.returncode == 0, err
    for question in ("Display name", "One-line description", "Start from", "System packages"):
        assert question in err
    assert "pip packages" not in err  # given by a flag, so not asked
    written = yaml.safe_load((tmp_path / "templates" / "field-lab.yml").read_text())
    assert written["name"] == "Field Lab"
    assert written["base"] == "debian-12"
    assert written["packages"] == {"system": ["r-base", "gdal-bin"], "pip": ["pandas"]}
    assert written["ports"] == [8080, 9000]
    assert "Wrote template field-lab" in out


def test_docs_write_a_page_per_template(prism: Any, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    written = prism.json(tmp_path, "templates", "docs", "--out", str(out))["docs"]
    assert {d["template"] for d in written} >= {"rstudio-server", "ubuntu-server"}
    page = (out / "rstudio-server.md").read_text()
    assert page.startswith("# RStudio Server\n")
    assert "| `rstudio_version` | string | 2024.12.0-467 |" in page
    assert "- system packages: `r-base`" in page
    assert "| default | r5.large | 0.1260 (bundled) |" in page
    assert "| S | r5.xlarge | 0.2520 (bundled) |" in page
    assert "| XL | r5.8xlarge |" in page
    assert "prism web NAME [SERVICE]" in page
    one = prism.json(tmp_path, "templates", "docs", "ubuntu-server", "-O", str(tmp_path / "one"))
    assert [d["template"] for d in one["docs"]] == ["ubuntu-server"]
