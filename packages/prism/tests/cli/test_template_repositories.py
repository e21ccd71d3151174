"""Template repositories as users meet them: a bare git repository as the remote, templates
published to it version by version, installed, updated, rolled back, and a repository whose
index does not match its files refused.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE = """name: "Bio Base"
slug: bio-base
description: "Shared tools of the lab's templates"
base: debian-12
packages:
  system: [git, curl]
users:
  - name: biologist
    groups: [sudo]
version: "{version}"
"""

WORKSTATION = """name: "Bio Workstation"
slug: bio-ws
description: "Sequence analysis: aligners and samtools"
inherits: ["Bio Base@^1.0"]
domain: genomics
packages:
  system: [{packages}]
version: "{version}"
{extra}"""


class Remote:
    """A lab's template repository: a working copy pushed to a bare repository."""

    def __init__(self, root: Path) -> None:
        self.bare = root / "lab.git"
        self.work = root / "work"
        root.mkdir(parents=True)
        self._git(root, "init", "--quiet", "--bare", "-b", "main", str(self.bare))
        self._git(root, "init", "--quiet", "-b", "main", str(self.work))
        self.entries: list[dict[str, Any]] = []

    @staticmethod
    def _git(cwd: Path, *args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=Lab", "-c", "user.email=lab@example.org", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
        )

    def publish(
        self, name: str, version: str, text: str, *, tags: list[str], prism: str | None = None
    ) -> None:
        path = f"templates/{name}/{version}.yml"
        (self.work / path).parent.mkdir(parents=True, exist_ok=True)
        (self.work / path).write_text(text)
        entry = {
            "name": name,
            "version": version,
            "path": path,
            "checksum": "sha256:" + hashlib.sha256(text.encode()).hexdigest(),
            "description": yaml.safe_load(text)["description"],
            "tags": tags,
            "domain": "genomics",
            "maintainer": "Ana <ana@lab.org>",
        }
        if prism:
            entry["prism_version"] = prism
        self.entries.append(entry)
        self.push()

    def push(self) -> None:
        index = {"name": "lab", "templates": self.entries}
        (self.work / "index.yaml").write_text(yaml.safe_dump(index, sort_keys=False))
        (self.work / "reviews").write_text(
            "# reviews of the lab's templates\n"
            "bio-ws@1.0.0 Signed-off-by: Sam Ho <sam@lab.org> -- runs our RNA-seq pipeline\n"
            "bio-ws Signed-off-by: Lee Park <lee@lab.org>\n"
            "not a review line\n"
        )
        self._git(self.work, "add", "-A")
        self._git(self.work, "commit", "--quiet", "-m", "publish")
        self._git(self.work, "push", "--quiet", str(self.bare), "main")

    def tamper(self, path: str) -> None:
        """Change a file without updating the index."""
        file = self.work / path
        file.write_text(file.read_text() + "# changed after publishing\n")
        self._git(self.work, "commit", "--quiet", "-am", "tamper")
        self._git(self.work, "push", "--quiet", str(self.bare), "main")


@pytest.fixture
def remote(tmp_path: Path, system_tool: Any) -> Remote:
    system_tool("git", package="git")
    lab = Remote(tmp_path / "remote")
    lab.publish("bio-base", "1.0.0", BASE.format(version="1.0.0"), tags=["base"])
    lab.publish(
        "bio-ws",
        "1.0.0",
        WORKSTATION.format(packages="bwa", version="1.0.0", extra=""),
        tags=["sequencing", "aligners"],
    )
    return lab


def test_add_search_install_update_and_roll_back(
    prism: Any, remote: Remote, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    added = prism.json(state, "templates", "repo", "add", "lab", str(remote.bare))
    assert added["repository"]["templates"] == 2
    repos = prism.json(state, "templates", "repo", "list")["repositories"]
    assert [r["name"] for r in repos] == ["builtin", "lab"]
    assert repos[0]["templates"] >= 6

    found = prism.json(state, "templates", "search", "sequencing")["entries"]
    assert [(e["repository"], e["name"], e["version"]) for e in found] == [
        ("lab", "bio-ws", "1.0.0")
    ]
    assert [e["name"] for e in prism.json(state, "templates", "search", "genomics")["entries"]] == [
        "bio-base",
        "bio-ws",
    ]
    assert prism.json(state, "templates", "search", "rstudio")["entries"][0]["repository"] == (
        "builtin"
    )

    orphan = prism.run(state, "templates", "install", "lab/bio-ws@1.0.0", "-o", "json")
    assert orphan.returncode == 2
    assert "Bio Base" in json.loads(orphan.stdout)["detail"]
    assert not (state / "templates" / "bio-ws.yml").exists()

    prism.json(state, "templates", "install", "lab/bio-base")
    installed = prism.json(state, "templates", "install", "lab/bio-ws@1.0.0")["installation"]
    assert (installed["version"], installed["repository"]) == ("1.0.0", "lab")
    listed = {t["slug"]: t for t in prism.json(state, "templates", "list")["templates"]}
    assert listed["bio-ws"]["installed_from"] == "lab/bio-ws@1.0.0"
    info = prism.json(state, "templates", "info", "bio-ws")["template"]
    assert info["definition"]["packages"]["system"] == ["git", "curl", "bwa"]
    assert [(r["reviewer"], r["version"]) for r in info["reviews"]] == [
        ("Sam Ho <sam@lab.org>", "1.0.0"),
        ("Lee Park <lee@lab.org>", None),
    ]
    shown = prism.run(state, "templates", "info", "bio-ws")
    assert "Sam Ho <sam@lab.org> (bio-ws@1.0.0): runs our RNA-seq pipeline" in shown.stdout

    remote.publish(
        "bio-ws",
        "1.1.0",
        WORKSTATION.format(packages="bwa, samtools", version="1.1.0", extra=""),
        tags=["sequencing"],
    )
    remote.publish(
        "bio-ws",
        "2.0.0",
        WORKSTATION.format(packages="minimap2", version="2.0.0", extra='prism_version: ">=99"\n'),
        tags=["sequencing"],
        prism=">=99",
    )
    updated = prism.json(state, "templates", "update")
    assert [(c["slug"], c["from_version"], c["to_version"]) for c in updated["updates"]] == [
        ("bio-ws", "1.0.0", "1.1.0")
    ]
    assert updated["updates"][0]["changes"] == [
        "packages.system: +samtools",
        "version: 1.0.0 -> 1.1.0",
    ]
    assert updated["up_to_date"] == ["bio-base"]
    printed = prism.run(state, "templates", "update")
    assert "Up to date: bio-base, bio-ws" in printed.stdout

    too_new = prism.run(state, "templates", "install", "lab/bio-ws@2.0.0", "-o", "json")
    assert too_new.returncode == 4
    assert json.loads(too_new.stdout)["code"] == "PRISM_TEMPLATE_INCOMPATIBLE"

    history = prism.json(state, "templates", "history", "bio-ws")["history"]["versions"]
    assert [(h["version"], h["source"], h["current"]) for h in history] == [
        ("1.0.0", "install", False),
        ("1.1.0", "update", True),
    ]
    rolled = prism.json(state, "templates", "rollback", "bio-ws", "1.0.0")["history"]["versions"]
    assert [(h["version"], h["source"], h["current"]) for h in rolled][-1] == (
        "1.0.0",
        "rollback",
        True,
    )
    assert "system: [bwa]\n" in (state / "templates" / "bio-ws.yml").read_text()
    listed = {t["slug"]: t for t in prism.json(state, "templates", "list")["templates"]}
    assert listed["bio-ws"]["installed_from"] == "lab/bio-ws@1.0.0"

    mine = state / "templates" / "bio-ws.yml"
    mine.write_text(mine.read_text().replace("bwa]", "bwa, bowtie2]"))
    edited = prism.run(state, "templates", "update", "bio-ws", "-o", "json")
    assert edited.returncode == 4
    assert json.loads(edited.stdout)["code"] == "PRISM_TEMPLATE_EDITED"
    sources = [
        h["source"]
        for h in prism.json(state, "templates", "history", "bio-ws")["history"]["versions"]
    ]
    assert sources[-1] == "edit"
    forced = prism.json(state, "templates", "update", "bio-ws", "--force")
    assert forced["updates"][0]["changes"] == [
        "packages.system: +samtools -bowtie2",
        "version: 1.0.0 -> 1.1.0",
    ]


def test_an_index_that_does_not_match_its_files_is_refused(
    prism: Any, remote: Remote, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    before = prism.json(state, "templates", "repo", "add", "lab", str(remote.bare))["repository"]
    remote.tamper("templates/bio-ws/1.0.0.yml")

    refused = prism.run(state, "templates", "repo", "update", "lab", "-o", "json")
    assert refused.returncode == 1
    problem = json.loads(refused.stdout)
    assert problem["code"] == "PRISM_REPO_CHECKSUM_MISMATCH"
    assert "templates/bio-ws/1.0.0.yml" in problem["detail"]
    after = prism.json(state, "templates", "repo", "list")["repositories"][1]
    assert after["commit"] == before["commit"]  # the repository in use stayed as it was
    assert prism.json(state, "templates", "search", "sequencing")["entries"]

    again = prism.run(state, "templates", "repo", "add", "other", str(remote.bare), "-o", "json")
    assert json.loads(again.stdout)["code"] == "PRISM_REPO_CHECKSUM_MISMATCH"
    names = [r["name"] for r in prism.json(state, "templates", "repo", "list")["repositories"]]
    assert names == ["builtin", "lab"]

    prism.json(state, "templates", "repo", "remove", "lab")
    gone = prism.run(state, "templates", "install", "lab/bio-ws", "-o", "json")
    assert json.loads(gone.stdout)["code"] == "PRISM_REPO_NOT_FOUND"
    unreachable = prism.run(
        state, "templates", "repo", "add", "nowhere", str(tmp_path / "none.git"), "-o", "json"
    )
    assert unreachable.returncode == 6
    assert json.loads(unreachable.stdout)["code"] == "PRISM_REPO_UNREACHABLE"


def test_the_builtin_repository_installs_a_copy_with_history(prism: Any, tmp_path: Path) -> None:
    state = tmp_path / "state"
    bundled = prism.run(state, "templates", "history", "ubuntu-server", "-o", "json")
    assert json.loads(bundled.stdout)["code"] == "PRISM_TEMPLATE_NOT_YOURS"
    prism.json(state, "templates", "install", "builtin/ubuntu-server")
    history = prism.json(state, "templates", "history", "ubuntu-server")["history"]
    assert [h["source"] for h in history["versions"]] == ["install"]
