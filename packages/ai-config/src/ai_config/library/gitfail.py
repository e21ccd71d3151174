"""Why a git command that talks to a remote failed, and what to do about each cause.

git's own message is kept whole (the last line alone hides the cause: "fatal: Could not read from
remote repository" follows the line that says the host key changed); the kind is read from it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["GitFailure", "classify"]


@dataclass(frozen=True)
class GitFailure:
    code: str
    kind: str
    suggestions: tuple[str, ...]


_SET_URL = (
    "If the library moved, point ai-config at its new URL:"
    " ai-config library source set-url base URL (or a source's NAME)."
)

_KINDS: tuple[tuple[str, GitFailure], ...] = (
    (
        (
            r"host key verification failed|remote host identification has changed"
            r"|no matching host key|host key for .* has changed"
        ),
        GitFailure(
            "AI_CONFIG_GIT_HOST_KEY",
            "the server's SSH host key is unknown or changed",
            (
                "Check the key with the server's owner first (a changed key can mean an attack);"
                " then add it: ssh-keyscan HOST >> ~/.ssh/known_hosts, or remove the old one:"
                " ssh-keygen -R HOST.",
            ),
        ),
    ),
    (
        (
            r"permission denied \(publickey|authentication failed|could not read username"
            r"|could not read password|terminal prompts disabled|access denied"
            r"|http basic: access denied|returned error: 40[13]|invalid credentials"
        ),
        GitFailure(
            "AI_CONFIG_GIT_AUTH_FAILED",
            "the server refused the credentials",
            (
                "For an SSH URL: start an agent and load your key (eval $(ssh-agent); ssh-add),"
                " then check it with: ssh -T git@HOST.",
                "For an HTTPS URL: export AI_CONFIG_GIT_TOKEN=<a token with read access>, or set"
                " up a git credential helper.",
            ),
        ),
    ),
    (
        (
            r"could not resolve host|could not resolve hostname|name or service not known"
            r"|temporary failure in name resolution|nodename nor servname"
        ),
        GitFailure(
            "AI_CONFIG_GIT_HOST_NOT_FOUND",
            "the host name does not resolve",
            (
                "Check the host in the URL for a typo, and that DNS works (is the VPN up?).",
                _SET_URL,
            ),
        ),
    ),
    (
        (
            r"connection refused|failed to connect|connection timed out|couldn't connect"
            r"|network is unreachable|no route to host"
        ),
        GitFailure(
            "AI_CONFIG_GIT_CONNECTION_REFUSED",
            "the server did not accept the connection",
            (
                "The server may be down, or a firewall or proxy blocks the port: try again"
                " later, or check https_proxy / your VPN.",
                "Check the port in the URL (ssh://git@HOST:PORT/..., https://HOST:PORT/...).",
            ),
        ),
    ),
    (
        (
            r"repository not found|does not appear to be a git repository|not found"
            r"|moved permanently|returned error: 30[178]|no such file or directory"
            r"|project you were looking for could not be found"
        ),
        GitFailure(
            "AI_CONFIG_GIT_REPOSITORY_MOVED",
            "there is no repository at that URL (moved, renamed or deleted)",
            (
                _SET_URL,
                "Check that the URL opens in a browser, or that `git ls-remote URL` works.",
            ),
        ),
    ),
)

_UNKNOWN = GitFailure(
    "AI_CONFIG_GIT_REMOTE_FAILED",
    "the remote could not be reached",
    ("Check the library URL and your network, and that `git ls-remote URL` works.",),
)


@functools.cache
def _kinds() -> tuple[tuple[re.Pattern[str], GitFailure], ...]:
    """Compiled on the first failure: a command that succeeds never pays for the patterns."""
    return tuple((re.compile(p, re.IGNORECASE), f) for p, f in _KINDS)


def classify(stderr: str) -> GitFailure:
    """The first kind whose pattern git's message matches; order matters (an auth failure can
    also say "not found" on some hosts, a host key failure always ends "could not read")."""
    for pattern, failure in _kinds():
        if pattern.search(stderr):
            return failure
    return _UNKNOWN
