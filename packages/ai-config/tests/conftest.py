"""Real git everywhere: a bare repository is the shared upstream library."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ai_config.library.store import Library

GIT_ENV = {
    "GIT_AUTHOR_NAME": "team",
    "GIT_AUTHOR_EMAIL": "team@example.org",
    "GIT_COMMITTER_NAME": "team",
    "GIT_COMMITTER_EMAIL": "team@example.org",
}


def git(cwd: Path, *args: str) -> str:
    import os

    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Upstream:
    """The team's library: a bare repository, and a working clone to push changes from."""

    def __init__(self, root: Path) -> None:
        self.bare = root / "team.git"
        self.work = root / "team-work"
        git(root, "init", "-q", "--bare", "-b", "main", str(self.bare))
        git(root, "clone", "-q", str(self.bare), str(self.work))
        git(self.work, "checkout", "-q", "-b", "main")

    def push(self, files: dict[str, str | bytes | None], message: str = "change") -> str:
        """Commit and push these files (bytes are written exactly; None deletes)."""
        for rel, content in files.items():
            path = self.work / rel
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return self.commit(message)

    def rename(self, old: str, new: str, message: str = "rename") -> str:
        (self.work / new).parent.mkdir(parents=True, exist_ok=True)
        git(self.work, "mv", old, new)
        return self.commit(message)

    def commit(self, message: str) -> str:
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        git(self.work, "push", "-q", "origin", "main")
        return git(self.work, "rev-parse", "HEAD")


@pytest.fixture
def upstream(tmp_path: Path) -> Upstream:
    remote = Upstream(tmp_path)
    remote.push(
        {
            "roles/reviewer.md": "# Reviewer\n\none\ntwo\nthree\nfour\nfive\n",
            "tools/git.md": "# Git\n\nsmall commits\n",
        },
        "initial library",
    )
    return remote


@pytest.fixture
def library(tmp_path: Path, upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("EDITOR", "true")
    lib = Library(tmp_path / "home")
    lib.init(str(upstream.bare), "main")
    return lib


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    return replace
