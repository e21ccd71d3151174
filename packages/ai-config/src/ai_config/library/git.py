"""The git binary, run as a subprocess: the user's SSH agent, credential helpers and config work
exactly as they do for git itself (GitPython would still need the binary, and leaks in long runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["Git", "git_available"]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "ai-config",
    "GIT_AUTHOR_EMAIL": "ai-config@localhost",
    "GIT_COMMITTER_NAME": "ai-config",
    "GIT_COMMITTER_EMAIL": "ai-config@localhost",
}


def git_available() -> bool:
    return shutil.which("git") is not None


def _token_env() -> dict[str, str]:
    """For HTTPS remotes, a token from AI_CONFIG_GIT_TOKEN is given to git through its config
    environment (never on the command line, where `ps` would show it).
    """
    token = os.environ.get("AI_CONFIG_GIT_TOKEN")
    if not token:
        return {}
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Bearer {token}",
    }


class Git:
    def __init__(self, repo: Path) -> None:
        self.repo = repo

    def run(
        self, *args: str, check: bool = True, input_text: str | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
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
            **_token_env(),
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
