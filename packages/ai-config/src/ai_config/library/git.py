"""The git binary, run as a subprocess: the user's SSH agent, credential helpers and config work
exactly as they do for git itself (GitPython would still need the binary, and leaks in long runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["TOKEN_VAR", "BranchState", "Git", "git_available", "token_env"]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "ai-config",
    "GIT_AUTHOR_EMAIL": "ai-config@localhost",
    "GIT_COMMITTER_NAME": "ai-config",
    "GIT_COMMITTER_EMAIL": "ai-config@localhost",
}


def git_available() -> bool:
    return shutil.which("git") is not None


TOKEN_VAR = "AI_CONFIG_GIT_TOKEN"  # noqa: S105 - the variable's name, not a token


def token_env(url: str | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables that hand git ``AI_CONFIG_GIT_TOKEN`` as an Authorization header for ``url``.

    The header is git's ``http.<url>.extraHeader``, so git sends it to the library's URL and to
    nothing else it reaches from there (another repository, a submodule, a mirror). It travels in
    git's config environment: never on a command line, where `ps` would show it, and never in a
    config file. Settings already in ``GIT_CONFIG_*`` are kept.
    """
    token = environ.get(TOKEN_VAR)
    if not token or not url or not url.startswith(("https://", "http://")):
        return {}
    count = environ.get("GIT_CONFIG_COUNT", "")
    index = int(count) if count.isdigit() else 0
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{url}.extraHeader",
        f"GIT_CONFIG_VALUE_{index}": f"Authorization: Bearer {token}",
    }


@dataclass(frozen=True)
class BranchState:
    """One `git status --branch` of a clone: where it is, what it follows, and local edits."""

    head: str
    upstream: str | None
    ahead: int
    behind: int
    clean: bool


class Git:
    def __init__(self, repo: Path) -> None:
        self.repo = repo

    def run(
        self,
        *args: str,
        check: bool = True,
        input_text: str | None = None,
        cwd: Path | None = None,
        token_url: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run git in the repository; ``token_url`` is the library URL the token may go to."""
        if not git_available():
            raise ToolError(
                "AI_CONFIG_GIT_MISSING",
                "The git command is not installed; ai-config keeps libraries as git repositories.",
                suggestions=["Install git (apt install git, brew install git), then try again."],
                exit_code=ExitCode.UNAVAILABLE,
            )
        env = {
            **os.environ,
            **{k: v for k, v in _IDENTITY.items() if k not in os.environ},
            **token_env(token_url, os.environ),
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }
        done = subprocess.run(
            ["git", *args],
            cwd=cwd or self.repo,
            env=env,
            input=input_text,
            capture_output=True,
            text=True,
        )
        if check and done.returncode != 0:
            raise self._error(args, done)
        return done

    def _error(self, args: Sequence[str], done: subprocess.CompletedProcess[str]) -> ToolError:
        detail = (done.stderr or done.stdout).strip().splitlines()
        message = detail[-1] if detail else f"exit code {done.returncode}"
        remote = args[0] in ("clone", "fetch", "pull", "push", "ls-remote")
        return ToolError(
            "AI_CONFIG_GIT_REMOTE_FAILED" if remote else "AI_CONFIG_GIT_FAILED",
            f"git {args[0]} failed: {message}",
            suggestions=[
                "Check the library URL and your network, and that `git ls-remote URL` works."
                if remote
                else f"Look at the repository with git: git -C {self.repo} status",
            ],
            context={"command": "git " + " ".join(args[:3])},
            exit_code=ExitCode.UNAVAILABLE if remote else ExitCode.FAILURE,
            transient=remote,
        )

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def head(self) -> str:
        return self.out("rev-parse", "HEAD")

    def show(self, revision: str, path: str) -> str | None:
        done = self.run("show", f"{revision}:{path}", check=False)
        return done.stdout if done.returncode == 0 else None

    def commit_all(self, message: str) -> str | None:
        """Commit every change; None when there was nothing to commit."""
        self.run("add", "-A")
        if not self.out("status", "--porcelain"):
            return None
        self.run("commit", "-q", "-m", message)
        return self.head()

    def changed_files(self, old: str, new: str) -> list[str]:
        return [p for p in self.out("diff", "--name-only", old, new).splitlines() if p]

    def upstream_branch(self) -> str | None:
        """The remote branch the checked-out branch follows (``main``), if it follows one."""
        head = self.run("symbolic-ref", "-q", "HEAD", check=False).stdout.strip()
        if not head:
            return None
        key = f"branch.{head.removeprefix('refs/heads/')}.merge"
        merge = self.run("config", key, check=False).stdout.strip()
        return merge.removeprefix("refs/heads/") or None

    def is_clean(self) -> bool:
        return not self.out("status", "--porcelain")

    def remote_url(self) -> str | None:
        done = self.run("remote", "get-url", "origin", check=False)
        url = done.stdout.strip()
        return url if done.returncode == 0 and url else None

    def branch_state(self) -> BranchState:
        """Head, upstream, ahead/behind and cleanliness from one `git status` (one process)."""
        head, upstream, ahead, behind, clean = "", None, 0, 0, True
        for line in self.out("status", "--porcelain=v2", "--branch").splitlines():
            if line.startswith("# branch.oid "):
                head = line.removeprefix("# branch.oid ")
            elif line.startswith("# branch.upstream "):
                upstream = line.removeprefix("# branch.upstream ")
            elif line.startswith("# branch.ab "):
                plus, minus = line.removeprefix("# branch.ab ").split()
                ahead, behind = int(plus), -int(minus)
            elif not line.startswith("#"):
                clean = False
        return BranchState(head, upstream, ahead, behind, clean)
