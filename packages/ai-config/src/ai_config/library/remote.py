"""Which branch to clone from a library's remote.

A self-hosted bare repository often has ``HEAD`` naming ``master`` while only ``main`` was ever
pushed; `git clone` then checks out nothing. So the branch comes from the remote itself: the
branch its HEAD names when that branch exists, else its only branch; with several and no usable
HEAD the user is asked to choose, with the branches listed.
"""

from __future__ import annotations

from pathlib import Path

from ai_config.library.git import Git
from groundwork.errors import ExitCode, ToolError

__all__ = ["branch_to_clone"]


def _remote_refs(url: str, token_url: str | None) -> tuple[str | None, list[str]]:
    """The branch the remote's HEAD names (None if it names none that exists) and its branches."""
    out = Git(Path.cwd()).run("ls-remote", "--symref", url, token_url=token_url).stdout
    head, branches = None, []
    for line in out.splitlines():
        left, _, ref = line.partition("\t")
        if left.startswith("ref: ") and ref == "HEAD":
            head = left.removeprefix("ref: ").removeprefix("refs/heads/")
        elif ref.startswith("refs/heads/"):
            branches.append(ref.removeprefix("refs/heads/"))
    return (head if head in branches else None), branches


def branch_to_clone(
    url: str, branch: str | None, token_url: str | None, *, retry: str
) -> str | None:
    """The branch to pass to `git clone --branch` (None: the remote's HEAD is fine).

    ``retry`` is the command to suggest, with ``BRANCH`` where the branch goes.
    """
    head, branches = _remote_refs(url, token_url)
    listed = ", ".join(sorted(branches)) or "none"
    if branch is not None:
        if branch not in branches:
            raise ToolError(
                "AI_CONFIG_BRANCH_NOT_FOUND",
                f"The library at {url} has no branch {branch!r} (its branches: {listed}).",
                suggestions=[
                    f"Pick one of them: {retry}"
                    if branches
                    else "Push a branch to the library first."
                ],
                context={"url": url, "branches": branches},
                exit_code=ExitCode.NOT_FOUND,
            )
        return branch
    if head is not None:
        return None
    if len(branches) == 1:
        return branches[0]
    if not branches:
        raise ToolError(
            "AI_CONFIG_LIBRARY_EMPTY",
            f"The library at {url} has no branches yet: nothing to clone.",
            suggestions=[
                "Push the library's first commit, then run init again.",
                "Or start from the bundled starter: ai-config init",
            ],
            context={"url": url},
            exit_code=ExitCode.NOT_FOUND,
        )
    raise ToolError(
        "AI_CONFIG_BRANCH_AMBIGUOUS",
        f"The library at {url} does not say which branch is its default (its HEAD names a"
        f" branch it does not have), and it has several: {listed}.",
        suggestions=[f"Name one: {retry.replace('BRANCH', sorted(branches)[0])}"],
        context={"url": url, "branches": branches},
        exit_code=ExitCode.USAGE,
    )
