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
from typing import Literal

from ai_config.library.gitfail import classify
from groundwork.errors import ExitCode, ToolError

__all__ = [
    "TOKEN_VAR",
    "BranchState",
    "Change",
    "Git",
    "git_available",
    "printable",
    "token_env",
]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "ai-config",
    "GIT_AUTHOR_EMAIL": "ai-config@localhost",
    "GIT_COMMITTER_NAME": "ai-config",
    "GIT_COMMITTER_EMAIL": "ai-config@localhost",
}


def git_available() -> bool:
    return shutil.which("git") is not None


def printable(text: str) -> str:
    """Text git printed, safe to show and to put in JSON: bytes that were not UTF-8 (kept as
    surrogates by :meth:`Git.run`) become replacement characters."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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


ChangeKind = Literal["added", "modified", "deleted", "renamed"]
_KINDS: dict[str, ChangeKind] = {"A": "added", "D": "deleted"}


@dataclass(frozen=True)
class Change:
    """What a path became between two revisions; ``path`` is where it is now."""

    kind: ChangeKind
    path: str


@dataclass(frozen=True)
class BranchState:
    """One `git status --branch` of a clone: where it is, what it follows, and local edits."""

    head: str
    upstream: str | None
    ahead: int
    behind: int
    clean: bool


class Git:
    """A repository at ``repo``; ``git_dir`` keeps its history elsewhere (a personal library in a
    synced folder keeps its `.git` on this machine, out of the sync), and ``exclude`` names
    paths no commit takes (the update lock)."""

    def __init__(
        self, repo: Path, *, git_dir: Path | None = None, exclude: Sequence[str] = ()
    ) -> None:
        self.repo = repo
        self.git_dir = git_dir
        self.exclude = tuple(exclude)

    def run(
        self,
        *args: str,
        check: bool = True,
        input_text: str | None = None,
        cwd: Path | None = None,
        token_url: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run git in the repository; ``token_url`` is the library URL the token may go to.

        Output is read as bytes and decoded as UTF-8 without newline translation (a CRLF file's
        diff keeps its CRs); bytes that are not UTF-8 (a Latin-1 file, a binary diff) become
        surrogates, which :func:`printable` turns into replacement characters for display.
        """
        done = self.run_bytes(
            *args,
            check=check,
            input_bytes=input_text.encode("utf-8") if input_text is not None else None,
            cwd=cwd,
            token_url=token_url,
        )
        return subprocess.CompletedProcess(
            done.args,
            done.returncode,
            done.stdout.decode("utf-8", "surrogateescape"),
            done.stderr.decode("utf-8", "replace"),
        )

    def run_bytes(
        self,
        *args: str,
        check: bool = True,
        input_bytes: bytes | None = None,
        cwd: Path | None = None,
        token_url: str | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git with bytes in and out: file contents pass through exactly as stored."""
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
        where = (
            ["--git-dir", str(self.git_dir), "--work-tree", str(self.repo)] if self.git_dir else []
        )
        done = subprocess.run(
            ["git", *where, *args],
            cwd=cwd or self.repo,
            env=env,
            input=input_bytes,
            capture_output=True,
        )
        if check and done.returncode != 0:
            raise self._error(args, done.returncode, done.stderr.decode("utf-8", "replace"))
        return done

    def _error(self, args: Sequence[str], returncode: int, stderr: str) -> ToolError:
        detail = stderr.strip() or f"exit code {returncode}"
        remote = args[0] in ("clone", "fetch", "pull", "push", "ls-remote")
        if not remote:
            return ToolError(
                "AI_CONFIG_GIT_FAILED",
                f"git {args[0]} failed: {detail}",
                suggestions=[f"Look at the repository with git: git -C {self.repo} status"],
                context={"command": "git " + " ".join(args[:3])},
                exit_code=ExitCode.FAILURE,
            )
        failure = classify(detail)
        return ToolError(
            failure.code,
            f"git {args[0]} failed: {failure.kind}. git said: {detail}",
            suggestions=list(failure.suggestions),
            context={"command": "git " + " ".join(args[:3]), "git_error": detail},
            exit_code=ExitCode.UNAVAILABLE,
            transient=failure.code
            in ("AI_CONFIG_GIT_CONNECTION_REFUSED", "AI_CONFIG_GIT_REMOTE_FAILED"),
        )

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def head(self) -> str:
        return self.out("rev-parse", "HEAD")

    def blobs(self, specs: Sequence[str]) -> dict[str, bytes | None]:
        """The exact bytes of each ``revision:path`` (None where there is none), from one
        `git cat-file --batch` however many are asked for."""
        if not specs:
            return {}
        unique = list(dict.fromkeys(specs))
        out = self.run_bytes(
            "cat-file", "--batch", input_bytes="".join(f"{s}\n" for s in unique).encode()
        ).stdout
        found: dict[str, bytes | None] = {}
        at = 0
        for spec in unique:
            end = out.index(b"\n", at)
            header = out[at:end].split()
            at = end + 1
            if len(header) != 3:  # "<spec> missing" (or ambiguous)
                found[spec] = None
                continue
            size = int(header[2])
            found[spec] = out[at : at + size] if header[1] == b"blob" else None
            at += size + 1
        return found

    def blob(self, revision: str, path: str) -> bytes | None:
        return self.blobs([f"{revision}:{path}"])[f"{revision}:{path}"]

    def blob_by_id(self, oid: str) -> bytes | None:
        return self.blobs([oid])[oid]

    def store_blob(self, data: bytes) -> str:
        """Keep ``data`` in the repository's object store (not in any commit); its id."""
        return (
            self.run_bytes("hash-object", "-w", "--stdin", input_bytes=data).stdout.decode().strip()
        )

    def commit_all(self, message: str) -> str | None:
        """Commit every change; None when there was nothing to commit."""
        self.run("add", "-A", "--", ".", *(f":(exclude){path}" for path in self.exclude))
        if self.run("diff", "--cached", "--quiet", check=False).returncode == 0:
            return None  # nothing staged (an excluded file may still show in `git status`)
        self.run("commit", "-q", "-m", message)
        return self.head()

    def changed_files(self, old: str, new: str) -> list[str]:
        out = self.run("diff", "--name-only", "-z", "--no-renames", old, new).stdout
        return [p for p in out.split("\0") if p]

    def changes(self, old: str, new: str) -> dict[str, Change]:
        """What happened to each path between two revisions, following renames as git detects
        them (``roles/a.md`` renamed to ``roles/b.md`` is one change under the old path)."""
        out = self.run("diff", "--name-status", "-z", "-M", old, new).stdout.split("\0")
        found: dict[str, Change] = {}
        at = 0
        while at < len(out) and out[at]:
            status = out[at]
            if status.startswith(("R", "C")):
                old_path, new_path = out[at + 1], out[at + 2]
                at += 3
                if status.startswith("R"):
                    found[old_path] = Change("renamed", new_path)
                continue
            path = out[at + 1]
            at += 2
            found[path] = Change(_KINDS.get(status[0], "modified"), path)
        return found

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
