"""Which architectures a template works on: what it declares, or, unsaid, what its setup
scripts allow. A script that downloads a binary named for x86_64 (``...-amd64.deb``) with no
per-architecture choice in the URL cannot work on Graviton, so the template is x86_64 only
whether it says so or not; one that declares arm64 anyway is an error to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prism.templates.issues import Issue
from prism.templates.model import Template

__all__ = ["Support", "architecture_issues", "support_of", "x86_only_downloads"]

ALL = ("x86_64", "arm64")
_URL = re.compile(r"https?://[^\s\"'<>]+")
_X86_NAME = re.compile(r"amd64|x86[_-]64|x64(?![0-9])")


@dataclass(frozen=True)
class Support:
    architectures: tuple[str, ...]
    reason: str | None
    """Why the others are missing, for the message that refuses a launch on one."""


def x86_only_downloads(template: Template) -> list[str]:
    """URLs in its scripts named for x86_64 with no shell variable in them to pick another."""
    scripts = [template.post_install or "", template.user_data or ""]
    scripts += [s.command or "" for s in template.services]
    return [
        url
        for script in scripts
        for url in _URL.findall(script)
        if _X86_NAME.search(url) and "$" not in url
    ]


def support_of(template: Template) -> Support:
    declared = template.architectures
    if declared is not None:
        return Support(tuple(a for a in ALL if a in declared), template.architectures_reason)
    downloads = x86_only_downloads(template)
    if downloads:
        return Support(("x86_64",), f"its setup downloads an x86_64-only binary ({downloads[0]})")
    return Support(ALL, None)


def architecture_issues(template: Template, path: str) -> list[Issue]:
    """A declared arm64 that its own downloads contradict; a left-out one with no reason."""
    declared = template.architectures
    if declared is None:
        return []
    issues = []
    downloads = x86_only_downloads(template)
    if "arm64" in declared and downloads:
        issues.append(
            Issue(
                path,
                None,
                "architectures",
                f"declares arm64 but its setup downloads an x86_64-only binary: {downloads[0]}",
                "Pick the download by architecture ($(dpkg --print-architecture) is amd64 or"
                " arm64, $(uname -m) x86_64 or aarch64), or declare 'architectures: [x86_64]'"
                " with an 'architectures_reason'.",
            )
        )
    if len(set(declared)) < len(ALL) and not template.architectures_reason:
        missing = ", ".join(a for a in ALL if a not in declared)
        issues.append(
            Issue(
                path,
                None,
                "architectures_reason",
                f"leaves out {missing} without saying why",
                f"Add 'architectures_reason: ...' (the message a launch on {missing} is refused"
                " with), e.g. the x86-only package it installs.",
            )
        )
    return issues
